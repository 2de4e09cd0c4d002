/** Everything the emulator holds: users, accounts, custom events and user preferences. */
import { RecordStore } from './record-store.js';
import type { JsonRecord } from './validate.js';

export class Store {
  readonly users = new RecordStore({ key: 'identifyId', kind: 'user' });
  readonly accounts = new RecordStore({ key: 'id', kind: 'account' });
  /** Appended as received: duplicates are kept so tests can count them. */
  readonly events: JsonRecord[] = [];
  readonly preferences = new Map<string, JsonRecord>();

  /** Deletes an account and the users whose `accountId` is that account. */
  deleteAccount(id: string, hard: boolean): boolean {
    if (!this.accounts.delete(id, hard)) return false;
    this.users.deleteWhere((user) => user.accountId === id, hard);
    return true;
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
