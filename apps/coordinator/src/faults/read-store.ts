import BetterSqlite3 from 'better-sqlite3';
import { CoordinatorStore } from '../store/coordinator-store';

/**
 * Reads a running coordinator's database from another process: a read-only connection
 * (WAL lets it read while the coordinator writes), closed again before returning. For the
 * fault suite and the load benchmark, which check what the coordinator recorded.
 */
export function readStore<T>(databasePath: string, read: (store: CoordinatorStore) => T): T {
  const store = new CoordinatorStore(new BetterSqlite3(databasePath, { readonly: true, fileMustExist: true }));
  try {
    return read(store);
  } finally {
    store.close();
  }
}
