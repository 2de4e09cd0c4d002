#!/usr/bin/env node
import { main } from '@pxstream/cli';

await main();
