import { HEAD_BYTES } from '@pxstream/checkpoint';
import { checkMappedAttributes, type PxConfig } from '@pxstream/config';
import { createRedactor } from '@pxstream/core';
import { newLedgerFigures, newPlanCounts } from '@pxstream/ledger';
import { dryRunThreads, runParallelDryRun } from '../../dry-run/parallel.js';
import { asLoadError, type LoadError, loadError } from '../../errors.js';
import type { LoadOptions } from '../../options.js';
import type { LoadReport } from '../../report.js';
import { openDailyBudget } from '../../run/budget-setup.js';
import { prepareConfig, requireKey, targetLine } from '../../run/config.js';
import { type OpenedInput, openInput } from '../../run/input.js';
import { LoadLog } from '../../run/log.js';
import type { PassContext, PassResult } from '../../run/pass-context.js';
import { type PreflightHooks, preflight, startEmbeddedEmulator } from '../../run/px-setup.js';
import { type AttributeMetadataList, buildRowStages } from '../../run/stages.js';
import { PxWaits } from '../../run/waits.js';
import { type RunSettings, resolveSettings, type SourceFormat, sniffFormat } from '../../settings.js';
import { checkMirrorOptions, mirrorAfterLoad } from '../delete/mirror.js';
import { readableTwice } from '../delete/read-twice.js';
import { planResume } from './checkpoint-setup.js';
import { finishLoad } from './finish.js';
import { openRunLedger } from './ledger-setup.js';
import { noCheckpointLine, resumeLine } from './messages.js';
import { openOutputs } from './outputs.js';
import { runPass } from './pass.js';
import { PlanFile } from './plan-file.js';
import { noLedgerNote } from './plan-notes.js';
import { runStrictCheck } from './strict.js';

/**
 * Runs one load from start to end and resolves to its report. Rejects with a `LoadError`
 * (a `PxStreamError` with a stable `code`) on anything fatal: options, config, credentials,
 * base URL, unreadable input, a header that does not match, PX's daily quota. A rejection
 * after rows were read carries the report as it ended (`error.report`). Per-row problems never
 * reject: they are counted, written to the rejects file and given to `onRow`.
 */
export async function load(options: LoadOptions): Promise<LoadReport> {
  const startedAt = Date.now();
  const given = resolveSettings(options);
  checkMirrorOptions(options);
  const env = options.env ?? process.env;
  const log = new LoadLog(options.onLog);
  log.redact = createRedactor([env.PX_API_KEY]);
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    const { config, secrets } = await prepareConfig(options, given, env, log);
    if (given.emulator) cleanups.push(await startEmulatorFor(config));
    if (!given.dryRun) log.info(targetLine(config, given));
    for (const warning of config.warnings) log.warn(warning);
    if (!given.dryRun) requireKey(config, options);
    const { input, settings } = await openTheInput(options, given);
    const checkpoint = await planResume(config, settings, input);
    if (checkpoint.empty) log.warn(`${input.name} is empty: no rows to load`);
    const outputs = await openOutputs({ options, settings, config, input, checkpoint, log });
    cleanups.push(() => outputs.close());
    if (checkpoint.from) log.info(resumeLine(checkpoint));
    else if (checkpoint.missing) log.info(noCheckpointLine(checkpoint.missing), 'RESUME_NO_CHECKPOINT');
    const budget = await openDailyBudget(settings, config, env, log);
    if (budget) cleanups.push(() => budget.close());
    const waits = new PxWaits(log, () => budget?.today);
    const metadata = await readMetadata(config, settings, log, {
      requestBudget: budget,
      onWait: waits.onWait,
    });
    const ledger = await openRunLedger(settings, config, env);
    if (ledger) cleanups.push(() => ledger.close());
    if (settings.plan && ledger && !ledger.exists && ledger.kind === 'records') {
      log.warn(noLedgerNote(settings.type, ledger.dir), 'PLAN_NO_LEDGER');
    }
    const planFile = await PlanFile.open(options, input, {
      config,
      settings,
      metadata,
      log,
      waits,
      signal: options.signal,
    });
    if (planFile) cleanups.push(() => planFile.discard());
    const stages = buildRowStages(settings.type, config, metadata);
    if (settings.strict) await runStrictCheck({ input, settings, stages, log });
    const pass: PassContext = {
      config,
      metadata,
      secrets,
      settings,
      options,
      input,
      stages,
      checkpoint,
      log,
      ledger,
      ledgerFigures: ledger ? newLedgerFigures(ledger) : undefined,
      planCounts: settings.plan ? newPlanCounts() : undefined,
      planFile,
      rejects: outputs.rejects,
      redact: log.redact,
      onRejectsError: (handler) => {
        outputs.onRejectsError = handler;
      },
      budget,
      waits,
    };
    const result = await runOnePass(pass);
    if (planFile && !result.error) await planFile.finish().catch((error: unknown) => (result.error = error));
    const mirror = await mirrorAfterLoad(pass, result);
    const report = await finishLoad({ ...pass, result, outputs, startedAt, mirror });
    if (result.error && !(result.interrupted && result.aborted)) throw asLoadError(result.error, report);
    return report;
  } catch (error) {
    throw redacted(asLoadError(error), log.redact);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
}

/** The embedded emulator, pointed at by the config; what closes it. */
async function startEmulatorFor(config: PxConfig): Promise<() => Promise<void>> {
  const emulator = await startEmbeddedEmulator(config);
  return () => emulator.close();
}

/** Opens the input and decides what its rows are read as. */
async function openTheInput(
  options: LoadOptions,
  given: ReturnType<typeof resolveSettings>,
): Promise<{ input: OpenedInput; settings: RunSettings }> {
  const opened = await openInput(options.input, given.cwd, options.inputName);
  // A mirror reads the input again once it is loaded, for the ids it lacks.
  const input = options.deleteMissing ? readableTwice(opened) : opened;
  const head = await input.head(HEAD_BYTES);
  return { input, settings: { ...given, format: sourceFormat(given.format, input, head) } };
}

/** What the rows are read as: objects, the format asked for or named, or what the first bytes say. */
function sourceFormat(
  given: RunSettings['format'] | undefined,
  input: OpenedInput,
  head: Buffer,
): SourceFormat {
  if (input.kind === 'objects') return 'objects';
  return given ?? sniffFormat(head);
}

/**
 * PX's attribute metadata (the pre-flight: key, base URL), and what the mapping cannot send.
 * A plan types custom attributes as a real load would, so its hashes compare. With `strict`, a
 * mapping PX cannot take stops the load before anything is sent (Gainsight's rule).
 */
async function readMetadata(
  config: PxConfig,
  settings: RunSettings,
  log: LoadLog,
  hooks: PreflightHooks,
): Promise<AttributeMetadataList | undefined> {
  const dryRun = settings.plan ? config.apiKey === undefined : settings.dryRun;
  const metadata = await preflight(config, { ...settings, dryRun }, log, hooks);
  if (!metadata) return undefined;
  const mapping = config.fieldMapping[settings.type] ?? {};
  const { warnings } = checkMappedAttributes(settings.type, mapping, metadata);
  for (const warning of warnings) log.warn(warning);
  if (settings.strict && warnings.length > 0) {
    throw loadError('STRICT_REJECTED', `\`strict\`: ${warnings.length} mapped attribute(s) PX cannot take`);
  }
  return metadata;
}

/** The pass over the input: on threads for a large CSV dry run, else the streaming pass. */
function runOnePass(pass: PassContext): Promise<PassResult> {
  const threads = dryRunThreads(pass);
  return threads > 0 ? runParallelDryRun(pass, threads) : runPass(pass);
}

/** Messages of errors raised deep down may quote an answer or a path: never the key. */
function redacted(error: LoadError, redact: (text: string) => string): LoadError {
  const message = redact(error.message);
  if (message !== error.message) Object.defineProperty(error, 'message', { value: message });
  return error;
}
