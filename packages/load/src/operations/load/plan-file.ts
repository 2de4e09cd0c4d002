/**
 * `planFile`: `plan` row by row, one JSON object a line: the row's line and id, what the ledger
 * says of it (`new` in the ledger, `changed`, `unchanged`; for events `new`, `recorded`,
 * `in-doubt`; `invalid` for a row a load would reject), and the action a load with the same
 * options would take (`send`, `skip`, `reject`).
 *
 * A changed row's `fields` is null: the ledger keeps one 64-bit hash of the body PX last
 * confirmed per id, not the body, so it knows that a row changed, never which field. Which
 * fields PX holds otherwise is PX's to say: `verify` with a differences file names them.
 */
import { resolve } from 'node:path';
import type { Rejection, RowEnvelope } from '@pxstream/core';
import type { PlanVerdict } from '@pxstream/ledger';
import { loadError } from '../../errors.js';
import type { LoadOptions } from '../../options.js';
import { checkOutputPaths } from '../../run/files.js';
import type { OpenedInput } from '../../run/input.js';
import type { RunSettings } from '../../settings.js';
import { type ExportOutputHandle, openFileOutput } from '../export/output.js';

/** One line of the plan file. */
export interface PlanFileLine {
  line: number;
  id: string | null;
  plan: 'new' | 'changed' | 'unchanged' | 'recorded' | 'in-doubt' | 'invalid';
  action: 'send' | 'skip' | 'reject';
  /** Changed rows: null (see above). */
  fields?: null;
  /** Invalid rows: the rejection's code and message. */
  code?: string;
  message?: string;
}

export class PlanFile {
  private constructor(
    private readonly output: ExportOutputHandle,
    private readonly settings: Pick<RunSettings, 'type' | 'changedOnly'>,
    private readonly redact: (text: string) => string,
  ) {}

  /**
   * The plan file of a load, if it asks for one: checked (only with `plan`, never over the input
   * or the config) and opened as `<file>.partial`, renamed by `finish()`.
   */
  static async open(
    options: LoadOptions,
    settings: RunSettings,
    input: OpenedInput,
    redact: (text: string) => string,
  ): Promise<PlanFile | undefined> {
    const asked = options.planFile;
    if (asked === undefined) return undefined;
    if (typeof asked !== 'string' || asked === '') {
      throw loadError('LOAD_INVALID_OPTION', '`planFile` takes the path of the file to write');
    }
    if (!settings.plan) {
      throw loadError('LOAD_INVALID_OPTION', '`planFile` writes the plan row by row: only with `plan`');
    }
    const path = resolve(settings.cwd, asked);
    const config = typeof options.config === 'string' ? resolve(settings.cwd, options.config) : undefined;
    await checkOutputPaths(
      [
        { what: 'the input', path: input.path },
        { what: 'the config', path: config },
      ],
      [
        { what: 'the plan file', path },
        { what: 'the report', path: settings.report },
      ],
    );
    return new PlanFile(await openFileOutput(path, 'plan file'), settings, redact);
  }

  /** A row the plan's sink compared with the ledger. */
  readonly planned = (row: RowEnvelope, verdict: PlanVerdict): Promise<void> | undefined => {
    const events = this.settings.type === 'CUSTOM_EVENT';
    const line: PlanFileLine = {
      line: row.line,
      id: row.key ?? null,
      plan: events && verdict === 'unchanged' ? 'recorded' : verdict,
      action: actionOf(verdict, events, this.settings.changedOnly),
    };
    if (verdict === 'changed') line.fields = null;
    return this.write(line);
  };

  /** A row a load would reject (parse, map, validate). */
  readonly rejected = (rejection: Rejection): void => {
    const line: PlanFileLine = {
      line: rejection.row.line,
      id: rejection.row.key ?? null,
      plan: 'invalid',
      action: 'reject',
      code: rejection.code,
      message: rejection.message,
    };
    // A rejection cannot wait: its text is buffered, the next planned row waits for it (and
    // meets the file's error, if any).
    try {
      void this.write(line)?.catch(() => {});
    } catch {}
  };

  finish(): Promise<void> {
    return this.output.finish();
  }

  discard(): Promise<void> {
    return this.output.discard();
  }

  private write(line: PlanFileLine): Promise<void> | undefined {
    return this.output.write(`${this.redact(JSON.stringify(line))}\n`);
  }
}

function actionOf(verdict: PlanVerdict, events: boolean, changedOnly: boolean): PlanFileLine['action'] {
  if (verdict === 'in-doubt') return 'reject';
  if (verdict === 'unchanged') return events || changedOnly ? 'skip' : 'send';
  return 'send';
}
