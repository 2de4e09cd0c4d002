import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';
import { type LedgerTarget, normalizeTarget, targetId } from './target.js';

/**
 * Where a target's ledger lives when `--ledger` is not given:
 * `$PXSTREAM_LEDGER_DIR`, else `$XDG_STATE_HOME/pxstream/ledgers`, else
 * `~/.local/state/pxstream/ledgers` (Windows: `%LOCALAPPDATA%\pxstream\ledgers`), then one
 * directory per target named from its record type and a short hash of the target, e.g.
 * `user-3f2a9c41d0b7e2aa`. Never from the input's name (daily exports have new names), never
 * from the API key.
 */
export function defaultLedgerDir(
  target: LedgerTarget,
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const path = platform === 'win32' ? win32 : posix;
  return path.join(ledgersRoot(env, platform, home), ledgerDirName(target));
}

/** `user-3f2a9c41d0b7e2aa`, `user-preferences-…`, `custom-event-…`. */
export function ledgerDirName(target: LedgerTarget): string {
  const { type } = normalizeTarget(target);
  return `${type.toLowerCase().replace(/_/g, '-')}-${targetId(target)}`;
}

function ledgersRoot(
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform,
  home: string,
) {
  if (env.PXSTREAM_LEDGER_DIR) return env.PXSTREAM_LEDGER_DIR;
  if (platform === 'win32') {
    return win32.join(env.LOCALAPPDATA || win32.join(home, 'AppData', 'Local'), 'pxstream', 'ledgers');
  }
  const xdg = env.XDG_STATE_HOME;
  const state = xdg && posix.isAbsolute(xdg) ? xdg : posix.join(home, '.local', 'state'); // XDG: relative is invalid
  return posix.join(state, 'pxstream', 'ledgers');
}
