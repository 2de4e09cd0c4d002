import type { Redactor } from '@pxstream/core';
import type { LogCode, LogEntry } from '../options.js';

/** Where a load's notes and warnings go: the caller's `onLog`, redacted; warnings also kept for the report. */
export class LoadLog {
  readonly warnings: string[] = [];
  redact: Redactor = (text) => text;

  constructor(private readonly sink: ((entry: LogEntry) => void) | undefined) {}

  /** A note; `code` names the notes a program may act on (a wait for PX starting, ending). */
  info(message: string, code?: LogCode): void {
    this.sink?.({ level: 'info', message: this.redact(message), ...(code ? { code } : {}) });
  }

  warn(message: string, code?: LogCode): void {
    const text = this.redact(message);
    this.warnings.push(text);
    this.sink?.({ level: 'warn', message: text, ...(code ? { code } : {}) });
  }
}
