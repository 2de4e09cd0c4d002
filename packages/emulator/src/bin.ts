/** The `pxstream-emulator` command: parse flags, start, print the URL, stop on SIGINT/SIGTERM. */
import { EMULATOR_HELP, parseEmulatorCommand, wantsHelp } from './args.js';
import { startEmulator } from './server.js';

export interface EmulatorCliIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Resolves when the emulator must stop. Default: the first SIGINT or SIGTERM. */
  stop?: Promise<unknown>;
}

function signalled(): { promise: Promise<string>; dispose: () => void } {
  let dispose = () => {};
  const promise = new Promise<string>((resolve) => {
    const on = (signal: string) => resolve(signal);
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
    dispose = () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    };
  });
  return { promise, dispose };
}

/** The key to print: the first one, unless it is the config's (a secret), then the next one. */
function shownKey(keys: string[], configApiKey: string | undefined): string {
  if (configApiKey === undefined || keys[0] !== configApiKey) return keys[0]!;
  return keys.length > 1 ? `the config's apiKey, or ${keys[1]}` : "the config's apiKey";
}

/** Runs the emulator until stopped; returns the exit code (2 for bad flags). */
export async function runEmulatorCli(argv: string[], io: EmulatorCliIO): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout.write(EMULATOR_HELP);
    return 0;
  }
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  let configApiKey: string | undefined;
  let keys: string[];
  try {
    const command = parseEmulatorCommand(argv);
    configApiKey = command.configApiKey;
    keys = command.options.apiKeys ?? ['emulator-key'];
    emulator = await startEmulator(command.options);
  } catch (error) {
    io.stderr.write(`pxstream-emulator: ${error instanceof Error ? error.message : String(error)}\n`);
    io.stderr.write('Try --help.\n');
    return 2;
  }
  const signals = io.stop ? undefined : signalled();
  io.stdout.write(
    `PX emulator listening on ${emulator.baseUrl} (API key: ${shownKey(keys, configApiKey)})\n`,
  );
  await (io.stop ?? signals!.promise);
  signals?.dispose();
  await emulator.close();
  io.stdout.write('PX emulator stopped\n');
  return 0;
}

/** Entry point of the `pxstream-emulator` bin (and of `pxstream emulator`). */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  process.exitCode = await runEmulatorCli(argv, { stdout: process.stdout, stderr: process.stderr });
}
