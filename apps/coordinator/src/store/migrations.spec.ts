import BetterSqlite3 from 'better-sqlite3';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useTempDir } from '../__fixtures__/temp-dir';
import { MIGRATIONS, migrate, schemaVersion, type Migration } from './migrations';
import { openDatabase } from './open-database';

const tables = (db: BetterSqlite3.Database) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>).map(
    (r) => r.name,
  );

describe('openDatabase and migrations', () => {
  const dir = useTempDir();

  it('creates the schema in a new file, in WAL mode with foreign keys on', () => {
    const path = join(dir.path, 'nested', 'coordinator.sqlite');

    const db = openDatabase({ path });

    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(tables(db)).toEqual(['audit_log', 'contributions', 'evaluation_sites', 'evaluations', 'rounds', 'runs', 'schema_version', 'site_privacy', 'sites']);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    db.close();
    expect(existsSync(path)).toBe(true);
  });

  it('migrates an existing empty file and is idempotent on reopening', () => {
    const path = join(dir.path, 'empty.sqlite');
    writeFileSync(path, '');

    openDatabase({ path }).close();
    const again = openDatabase({ path });

    expect(schemaVersion(again)).toBe(MIGRATIONS.length);
    expect((again.prepare('SELECT COUNT(*) AS n FROM schema_version').get() as { n: number }).n).toBe(MIGRATIONS.length);
    again.close();
  });

  it('applies a newer migration forward, keeping the data', () => {
    const path = join(dir.path, 'forward.sqlite');
    const v1 = openDatabase({ path });
    v1.prepare("INSERT INTO sites (id, name, token_hash, created_at) VALUES ('s1', 'Hospital A', 'x', 1)").run();
    v1.close();
    const next = MIGRATIONS.length + 1;
    const second: Migration = {
      version: next,
      description: 'sites.region',
      up: (db) => {
        db.exec("ALTER TABLE sites ADD COLUMN region TEXT NOT NULL DEFAULT 'unknown'");
      },
    };

    const v2 = openDatabase({ path, migrations: [...MIGRATIONS, second], now: () => 42 });

    expect(schemaVersion(v2)).toBe(next);
    expect(v2.prepare('SELECT name, region FROM sites').get()).toEqual({ name: 'Hospital A', region: 'unknown' });
    expect(v2.prepare('SELECT version, description, applied_at FROM schema_version WHERE version = ?').get(next)).toEqual({
      version: next,
      description: 'sites.region',
      applied_at: 42,
    });
    v2.close();
  });

  it('upgrades a version-1 database (before evaluation rounds) to the evaluation tables, keeping its runs', () => {
    const path = join(dir.path, 'v1.sqlite');
    const v1 = openDatabase({ path, migrations: MIGRATIONS.slice(0, 1) });
    v1.prepare("INSERT INTO runs (id, status, plan, options, created_at) VALUES ('r1', 'completed', '{}', '{}', 1)").run();
    v1.close();

    const v2 = openDatabase({ path });

    expect(schemaVersion(v2)).toBe(MIGRATIONS.length);
    expect(tables(v2)).toEqual(expect.arrayContaining(['evaluations', 'evaluation_sites', 'site_privacy']));
    expect(v2.prepare('SELECT id, status FROM runs').all()).toEqual([{ id: 'r1', status: 'completed' }]);
    v2.close();
  });

  it('rolls back a failing migration and leaves the version unchanged', () => {
    const path = join(dir.path, 'broken.sqlite');
    openDatabase({ path }).close();
    const broken: Migration = {
      version: MIGRATIONS.length + 1,
      description: 'broken',
      up: (db) => {
        db.exec('CREATE TABLE half_done (x INTEGER)');
        db.exec('THIS IS NOT SQL');
      },
    };

    expect(() => openDatabase({ path, migrations: [...MIGRATIONS, broken] })).toThrow(/cannot prepare database .*broken\.sqlite/);

    const db = new BetterSqlite3(path);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(tables(db)).not.toContain('half_done');
    db.close();
  });

  it('refuses a database from a newer coordinator, and a migration list with gaps', () => {
    const path = join(dir.path, 'newer.sqlite');
    const db = openDatabase({ path });
    db.prepare("INSERT INTO schema_version (version, description, applied_at) VALUES (7, 'future', 0)").run();
    db.close();

    expect(() => openDatabase({ path })).toThrow(`has schema version 7, newer than this coordinator's ${MIGRATIONS.length}`);
    const fresh = new BetterSqlite3(':memory:');
    expect(() => migrate(fresh, { migrations: [{ ...MIGRATIONS[0]!, version: 2 }] })).toThrow('migration 1 is numbered 2');
    fresh.close();
  });
});
