export type { RequestsTarget } from './daily-requests.js';
export {
  DailyRequests,
  dailyRequestsPath,
  FLUSH_INTERVAL_MS as DAILY_REQUESTS_FLUSH_MS,
  nextUtcDay,
  utcDay,
} from './daily-requests.js';
export type { EventIdentityRejectionCode, LedgerError, LedgerErrorCode } from './errors.js';
export type { EventInput } from './event-identity.js';
export { EventIdentityStep, eventInputId } from './event-identity.js';
export { ledgerExists } from './exists.js';
export type { MissingIds } from './forget.js';
export type { LedgerFigures } from './guards.js';
export {
  bodyHashOf,
  eventsGuard,
  newLedgerFigures,
  RECORDED_EARLIER,
  recordedKeyReason,
  recordsGuard,
} from './guards.js';
export { EVENT_HASH_DIGITS, hashBody, hashIdInto, idKey, RECORD_HASH_DIGITS } from './hash.js';
export { fingerprintWords, IdFingerprints, idFingerprint } from './id-set.js';
export type { Durability } from './journal.js';
export type { EventState, LedgerCounts } from './ledger.js';
export { Ledger } from './ledger.js';
export { defaultLedgerDir, ledgerDirName } from './location.js';
export { OccurrenceCounter } from './occurrences.js';
export type { OpenLedgerOptions } from './open.js';
export { openLedger } from './open.js';
export type { PlanCounts, PlanListener, PlanVerdict } from './plan-sink.js';
export { createPlanSink, newPlanCounts } from './plan-sink.js';
export { DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS } from './state.js';
export type { LedgerKind, LedgerRecordType, LedgerTarget } from './target.js';
export { LEDGER_RECORD_TYPES, ledgerKind, normalizeTarget, targetId } from './target.js';
