import { type Rejection, startPipeline } from '@pxstream/core';
import { createDiscardSink } from '../../dry-run/sink.js';
import { loadError } from '../../errors.js';
import type { OpenedInput } from '../../run/input.js';
import type { LoadLog } from '../../run/log.js';
import { createSource, type RowStages } from '../../run/stages.js';
import type { RunSettings } from '../../settings.js';

/**
 * Gainsight's --strict: the whole input is parsed, mapped and validated before anything is
 * sent, and the first bad row aborts the run with its line and reason.
 */
export async function runStrictCheck(ctx: {
  input: OpenedInput;
  settings: RunSettings;
  stages: RowStages;
  log: LoadLog;
}): Promise<void> {
  const { input, settings, stages, log } = ctx;
  if (input.kind !== 'file') {
    throw loadError(
      'LOAD_INVALID_OPTION',
      `\`strict\` needs a file: ${input.name} cannot be read twice (save it to a file first)`,
    );
  }
  const source = await createSource(input, settings.format);
  let first: Rejection | undefined;
  const handle = startPipeline({
    input: input.open(),
    source,
    stages: [stages.steps()],
    sink: createDiscardSink(),
    range: { first: settings.startRow, last: settings.lastRow },
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
    throw loadError(
      'STRICT_REJECTED',
      `\`strict\`: line ${first.row.line}: ${first.code}: ${first.message} (nothing was sent)`,
    );
  }
  log.info(`\`strict\`: ${handle.stats.read} rows checked, none rejected; sending`);
}
