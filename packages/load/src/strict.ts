import { type Rejection, startPipeline } from '@pxstream/core';
import { createDiscardSink } from './dry-run-sink.js';
import { CliError, EXIT } from './exit-codes.js';
import type { OpenedInput } from './input.js';
import type { Logger } from './logger.js';
import type { LoadOptions } from './options.js';
import { createSource, type RowStages } from './stages.js';

/**
 * Gainsight's --strict: the whole input is parsed, mapped and validated before anything is
 * sent, and the first bad row aborts the run with its line and reason.
 */
export async function runStrictCheck(ctx: {
  input: OpenedInput;
  options: LoadOptions;
  stages: RowStages;
  log: Logger;
  cleanups: Array<() => Promise<void>>;
}): Promise<void> {
  const { input, options, stages, log } = ctx;
  if (!input.path) {
    throw new CliError(
      '--strict needs a file: stdin cannot be read twice (save it to a file first)',
      EXIT.USAGE,
    );
  }
  const source = createSource(options.format);
  let first: Rejection | undefined;
  const handle = startPipeline({
    input: input.open(),
    source,
    stages: [stages.steps()],
    sink: createDiscardSink(),
    range: { first: options.startRow, last: options.lastRow },
    onRejection: (rejection) => {
      if (first) return;
      first = rejection;
      handle.stop();
    },
  });
  source.on('header', (columns: readonly string[]) => {
    try {
      stages.mapper.checkColumns(columns);
    } catch (error) {
      handle.abort(error);
    }
  });
  await handle.done;
  if (first) {
    throw new CliError(
      `--strict: line ${first.row.line}: ${first.code}: ${first.message} (nothing was sent)`,
      EXIT.FATAL,
    );
  }
  log.info(`--strict: ${handle.stats.read} rows checked, none rejected; sending`);
}
