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
export { EmulatorConfigFileError } from './config-file.js';
export type { AttributeMetadata } from './metadata.js';
export type {
  CustomAttributeSpec,
  EmulatorHandle,
  EmulatorOptions,
  EmulatorStats,
  EmulatorTimeline,
  FaultOptions,
  ForbiddenAccess,
  LatencyOptions,
  OtherClientOptions,
  OutageKind,
  OutageOptions,
  PxAttributeType,
  RateLimitOptions,
  RateLimitShape,
  TimelineSecond,
} from './options.js';
export { startEmulator } from './server.js';
export type { Clocks as EmulatorClocks } from './state.js';
