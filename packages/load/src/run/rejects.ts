import type { LineBreak, RejectsWriter } from '@pxstream/sink-errors';

/**
 * The rejects writer of a load that asked for no file (`rejects: false`): rejections reach the
 * caller through `onRow` only, and are counted in the report.
 */
export function noRejectsFile(): RejectsWriter {
  let count = 0;
  return {
    path: '',
    get count() {
      return count;
    },
    dropped: 0,
    createdEmpty: false,
    bytesWritten: 0,
    failed: undefined,
    queue: { queuedBytes: 0, peakQueuedBytes: 0, maxQueuedBytes: 0, asyncWrites: 0, syncWrites: 0 },
    setColumns() {},
    write() {
      count++;
    },
    flush: async () => {},
    close: async () => {},
  };
}

/** The rejects file takes the input's header and is written the way the input was (an Excel export's BOM and CRLF). */
export function rejectsLikeInput(
  rejects: RejectsWriter,
  columns: readonly string[],
  input: { delimiter?: string | undefined; hadBom?: boolean; lineBreak?: LineBreak | undefined },
): void {
  rejects.setColumns(columns, input.delimiter, {
    bom: input.hadBom === true,
    ...(input.lineBreak ? { lineBreak: input.lineBreak } : {}),
  });
}
