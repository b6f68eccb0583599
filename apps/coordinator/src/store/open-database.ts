import BetterSqlite3 from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { CoordinatorError } from '../errors/coordinator-error';
import type { Database } from './database';
import { migrate, type Migration } from './migrations';

export interface OpenDatabaseOptions {
  /** File path; its directory is created if missing. */
  path: string;
  migrations?: readonly Migration[];
  /** How long a statement waits for a lock held by another connection. Default 5 s. */
  busyTimeoutMs?: number;
  now?: () => number;
}

/**
 * Opens (or creates) the coordinator's SQLite file, configured for durability, and
 * migrates it to the current schema.
 *
 * - WAL journal: readers (dashboard, REST) never block the round loop's writes, and a
 *   commit is one sequential append.
 * - synchronous = FULL: each commit is fsynced, so a round recorded as completed survives
 *   a power cut, not only a process crash. Writes are a few per round, so the cost is nil.
 * - foreign_keys = ON: SQLite leaves them off by default, per connection.
 */
export function openDatabase(options: OpenDatabaseOptions): Database {
  mkdirSync(dirname(options.path), { recursive: true });
  let db: Database;
  try {
    db = new BetterSqlite3(options.path, { timeout: options.busyTimeoutMs ?? 5000 });
  } catch (error) {
    throw new CoordinatorError(`cannot open database ${options.path}: ${(error as Error).message}`, 'STORE_OPEN', { cause: error });
  }
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (String(mode).toLowerCase() !== 'wal') {
      throw new CoordinatorError(`database ${options.path} refused WAL mode (journal_mode is ${String(mode)})`, 'STORE_OPEN');
    }
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db, { ...(options.migrations ? { migrations: options.migrations } : {}), ...(options.now ? { now: options.now } : {}) });
    return db;
  } catch (error) {
    db.close();
    if (error instanceof CoordinatorError) throw error;
    throw new CoordinatorError(`cannot prepare database ${options.path}: ${(error as Error).message}`, 'STORE_OPEN', { cause: error });
  }
}
