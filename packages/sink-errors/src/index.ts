export type { LineBreak } from './csv-format.js';
export {
  formatCsvRejection,
  quoteCsvField,
  RAW_SEPARATOR,
  REJECT_COLUMNS,
  rejectsCsvHeader,
} from './csv-format.js';
export type { RejectsError, RejectsErrorCode } from './errors.js';
export type { QueueStats } from './file-queue.js';
export type { JsonlRejectLine } from './jsonl-format.js';
export { formatJsonlRejection } from './jsonl-format.js';
export type { RejectsStream } from './stream.js';
export { createRejectsStream } from './stream.js';
export type { CsvStyle, RejectsWriter, RejectsWriterOptions } from './writer.js';
export { openRejectsWriter } from './writer.js';
