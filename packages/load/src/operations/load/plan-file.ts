/**
 * `planFile`: `plan` row by row, one JSON object a line, in the input's order: the row's line and
 * id, what the ledger says of it (`new` in the ledger, `changed`, `unchanged`; for events `new`,
 * `recorded`, `in-doubt`; `invalid` for a row a load would reject), and the action a load with
 * the same options would take (`send`, `skip`, `reject`).
 *
 * A changed row also names its `fields`: the mapped PX fields (dot paths, sorted) whose value PX
 * holds otherwise than the row, compared as `verify` compares them; `[]` when PX holds the row's
 * values already (the ledger saw another body). The ledger keeps one hash of a body per id, so it
 * knows that a row changed, never which field: PX's record is read for it, only for the changed
 * rows of users and accounts, the cheaper way (`ChangedFields`: a `GET` each, or the scroll).
 * A record PX lacks is `"fields": null, "px": "missing"`. `fields` stays null where PX was not
 * read: custom events and preferences (PX has no read of them), a plan without an API key, a
 * plan stopped before the reads, or PX failing them (a warning says so).
 *
 * The order: PX is read once the input is, for all the changed rows at once (the scroll reads
 * every record of PX: once per plan, not per batch of rows), and the rows are never kept. So the
 * lines are written as the rows come, to `<file>.rows`, the changed ones ending
 * `"fields":null}`; once PX is read, that file is copied into the plan file, each changed line's
 * end replaced by its fields (the k-th changed line is the k-th changed row). Memory holds the
 * changed rows' hashes only, never a window of lines; the copy costs a read of the plan file.
 */
import { createReadStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Rejection, RowEnvelope } from '@pxstream/core';
import type { PlanVerdict } from '@pxstream/ledger';
import { loadError } from '../../errors.js';
import type { LoadOptions } from '../../options.js';
import { checkOutputPaths } from '../../run/files.js';
import type { OpenedInput } from '../../run/input.js';
import type { RunSettings } from '../../settings.js';
import { type ExportOutputHandle, openFileOutput } from '../export/output.js';
import { ChangedFields, type PlanReads } from './plan-fields.js';

/** How a changed row's line ends until its fields are named (`planned` writes its keys in this order). */
const CHANGED_END = '"plan":"changed","action":"send","fields":null}';
const NULL_FIELDS = '"fields":null}';

/** One line of the plan file. */
export interface PlanFileLine {
  line: number;
  id: string | null;
  plan: 'new' | 'changed' | 'unchanged' | 'recorded' | 'in-doubt' | 'invalid';
  action: 'send' | 'skip' | 'reject';
  /** Changed rows: the fields PX holds otherwise, or null (see above). */
  fields?: string[] | null;
  /** Changed rows whose record PX lacks: `missing`. */
  px?: 'missing';
  /** Invalid rows: the rejection's code and message. */
  code?: string;
  message?: string;
}

/** The lines as the rows come, when changed rows' fields are named once the input is read. */
interface PassLines {
  output: ExportOutputHandle;
  path: string;
  changed: ChangedFields;
}

export class PlanFile {
  private constructor(
    private readonly output: ExportOutputHandle,
    private readonly pass: PassLines | undefined,
    private readonly settings: Pick<RunSettings, 'type' | 'changedOnly'>,
    private readonly redact: (text: string) => string,
  ) {}

  /**
   * The plan file of a load, if it asks for one: checked (only with `plan`, never over the input
   * or the config) and opened as `<file>.partial`, renamed by `finish()`. `run`: the load's
   * settings and log (its redaction), and what reading PX takes to name the changed rows' fields
   * (with the lines first written to `<file>.rows`).
   */
  static async open(
    options: LoadOptions,
    input: OpenedInput,
    run: PlanReads & { settings: RunSettings },
  ): Promise<PlanFile | undefined> {
    const { settings } = run;
    const redact = run.log.redact;
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
    const output = await openFileOutput(path, 'plan file');
    const changed = ChangedFields.for(run);
    if (!changed) return new PlanFile(output, undefined, settings, redact);
    const rows = `${path}.rows`;
    try {
      const pass = { output: await openFileOutput(rows, 'plan file'), path: rows, changed };
      return new PlanFile(output, pass, settings, redact);
    } catch (error) {
      await output.discard();
      throw error;
    }
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
    if (verdict !== 'changed') return this.write(line);
    line.fields = null;
    // Written first: a rejection meanwhile comes after it, as without the reads.
    const written = this.write(line);
    const kept = this.pass?.changed.add(row);
    if (kept === undefined) return written;
    return written ? Promise.all([written, kept]).then(() => {}) : kept;
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

  /** Names the changed rows' fields (PX read), then writes what is left and gives the file its name. */
  async finish(): Promise<void> {
    const { pass } = this;
    if (pass) {
      await pass.output.finish();
      await pass.changed.read();
      pass.changed.close();
      await copyNamed(pass.path, this.output, (k) => pass.changed.tailOf(k));
      await unlink(pass.path);
    }
    await this.output.finish();
  }

  async discard(): Promise<void> {
    const { pass } = this;
    if (pass) {
      pass.changed.close();
      await pass.output.discard();
      await unlink(pass.path).catch(() => {});
    }
    await this.output.discard();
  }

  private write(line: PlanFileLine): Promise<void> | undefined {
    return (this.pass?.output ?? this.output).write(`${this.redact(JSON.stringify(line))}\n`);
  }
}

/** The pass's lines into the plan file, the k-th changed line's end replaced by `tailOf(k)` when named. */
async function copyNamed(
  from: string,
  to: ExportOutputHandle,
  tailOf: (k: number) => string | undefined,
): Promise<void> {
  let changed = 0;
  let rest = '';
  for await (const chunk of createReadStream(from, { encoding: 'utf8' })) {
    const lines = (rest + (chunk as string)).split('\n');
    rest = lines.pop() ?? '';
    for (let line of lines) {
      if (line.endsWith(CHANGED_END)) {
        const tail = tailOf(changed++);
        if (tail !== undefined) line = line.slice(0, -NULL_FIELDS.length) + tail;
      }
      const full = to.write(`${line}\n`);
      if (full) await full;
    }
  }
}

function actionOf(verdict: PlanVerdict, events: boolean, changedOnly: boolean): PlanFileLine['action'] {
  if (verdict === 'in-doubt') return 'reject';
  if (verdict === 'unchanged') return events || changedOnly ? 'skip' : 'send';
  return 'send';
}
