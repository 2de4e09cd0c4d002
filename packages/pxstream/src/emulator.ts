/**
 * `pxstream/emulator`: a Gainsight PX REST API on loopback, to try a load on (no key, no
 * network). A subpath of its own, so that `import { load } from 'pxstream'` never loads it.
 */

export { type EmulatorHandle, type EmulatorOptions, startEmulator } from '@pxstream/emulator';
