import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinatorStore } from '../store/coordinator-store';
import { manualClock } from './temp-dir';

export interface TempStore {
  /** This test's store: a real SQLite file in a fresh temporary folder. */
  readonly store: CoordinatorStore;
  /** The database file, for a second connection (as the running coordinator's). */
  readonly path: string;
  /** The store's clock, moved by hand. */
  readonly clock: ReturnType<typeof manualClock>;
  /** Closes the store and opens the same file again, as a restarted coordinator would. */
  reopen(): CoordinatorStore;
}

/** A fresh CoordinatorStore per test, closed and removed afterwards (call in a describe block). */
export function useTempStore(): TempStore {
  const clock = manualClock();
  let dir = '';
  let store: CoordinatorStore | undefined;
  const open = () => (store = CoordinatorStore.open({ path: join(dir, 'c.sqlite'), now: clock.now }));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fedsynth-coordinator-'));
    open();
  });
  afterEach(() => {
    store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    get store() {
      if (store === undefined) throw new Error('useTempStore: the store exists only inside a test');
      return store;
    },
    get path() {
      return join(dir, 'c.sqlite');
    },
    clock,
    reopen() {
      store?.close();
      return open();
    },
  };
}
