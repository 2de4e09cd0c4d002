/** Entry of a separate emulator process (see `emulatorProcess`): the emulator's own command. */
import { main } from '../../../emulator/src/bin.js';

await main();
