/** Everything the emulator holds: users, accounts, custom events and user preferences. */
import { RecordStore } from './record-store.js';
import type { JsonRecord } from './validate.js';

export class Store {
  readonly users = new RecordStore({ key: 'identifyId', kind: 'user' });
  readonly accounts = new RecordStore({ key: 'id', kind: 'account' });
  /** Appended as received: duplicates are kept so tests can count them. */
  readonly events: JsonRecord[] = [];
  readonly preferences = new Map<string, JsonRecord>();

  /**
   * Deletes an account and the users whose `accountId` is that account (px-api.md: the delete
   * cascades). Returns how many users went with it, or `undefined` when there is no such account.
   */
  deleteAccount(id: string, hard: boolean, now: number): number | undefined {
    if (!this.accounts.delete(id, hard, now)) return undefined;
    return this.users.deleteWhere((user) => user.accountId === id, hard, now);
  }

  /** The revive window of soft-deleted records (users revive; accounts are only kept that long). */
  setReviveWindow(seconds: number): void {
    this.users.reviveWindowMs = seconds * 1000;
    this.accounts.reviveWindowMs = seconds * 1000;
  }

  setPreferences(identifyId: string, values: JsonRecord): void {
    const current = this.preferences.get(identifyId);
    if (current) Object.assign(current, values);
    else this.preferences.set(identifyId, { identifyId, ...values });
  }

  clear(): void {
    this.users.clear();
    this.accounts.clear();
    this.events.length = 0;
    this.preferences.clear();
  }
}
