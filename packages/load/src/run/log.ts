import type { Redactor } from '@pxstream/core';
import type { LogEntry } from '../options.js';

/** Where a load's notes and warnings go: the caller's `onLog`, redacted; warnings also kept for the report. */
export class LoadLog {
  readonly warnings: string[] = [];
  redact: Redactor = (text) => text;

  constructor(private readonly sink: ((entry: LogEntry) => void) | undefined) {}

  info(message: string): void {
    this.sink?.({ level: 'info', message: this.redact(message) });
  }

  warn(message: string): void {
    const text = this.redact(message);
    this.warnings.push(text);
    this.sink?.({ level: 'warn', message: text });
  }
}
