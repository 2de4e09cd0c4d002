export {
  EMULATOR_HELP,
  EmulatorArgsError,
  parseCustomAttribute,
  parseEmulatorArgs,
  wantsHelp,
} from './args.js';
export type { EmulatorCliIO } from './bin.js';
export { main, runEmulatorCli } from './bin.js';
export { EmulatorOptionError } from './config.js';
export type { AttributeMetadata } from './metadata.js';
export type {
  CustomAttributeSpec,
  EmulatorHandle,
  EmulatorOptions,
  EmulatorStats,
  FaultOptions,
  LatencyOptions,
  PxAttributeType,
  RateLimitOptions,
} from './options.js';
export { startEmulator } from './server.js';
