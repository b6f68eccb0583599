import { CoordinatorError } from '../errors/coordinator-error';
import type { Database } from './database';

/**
 * Forward-only schema migrations, in code so a coordinator binary always carries the
 * schema it expects. Each runs in its own transaction with the row recording it, so a
 * crash mid-migration leaves the previous version intact. Never edit a released
 * migration: append a new one.
 */
export interface Migration {
  version: number;
  description: string;
  up(db: Database): void;
}

const INITIAL_SCHEMA = `
CREATE TABLE sites (
  id               TEXT PRIMARY KEY,
  name             TEXT NOT NULL UNIQUE,
  token_hash       TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  revoked_at       INTEGER,
  last_seen_at     INTEGER,
  protocol_version INTEGER,
  record_count     INTEGER
) STRICT;

CREATE TABLE runs (
  id              TEXT PRIMARY KEY,
  status          TEXT NOT NULL CHECK (status IN ('created', 'running', 'stopped', 'completed', 'failed')),
  plan            TEXT NOT NULL CHECK (json_valid(plan)),
  options         TEXT NOT NULL CHECK (json_valid(options)),
  created_at      INTEGER NOT NULL,
  started_at      INTEGER,
  finished_at     INTEGER,
  error           TEXT,
  current_phase   TEXT CHECK (current_phase IN ('autoencoder', 'gan')),
  current_round   INTEGER,
  vocabulary      TEXT CHECK (vocabulary IS NULL OR json_valid(vocabulary)),
  vocabulary_hash TEXT
) STRICT;

-- One row per attempt of a round: a failed attempt is kept (audit) and retried as attempt + 1.
CREATE TABLE rounds (
  run_id            TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  round_index       INTEGER NOT NULL CHECK (round_index >= 0),
  attempt           INTEGER NOT NULL CHECK (attempt >= 1),
  phase             TEXT NOT NULL CHECK (phase IN ('autoencoder', 'gan')),
  status            TEXT NOT NULL CHECK (status IN ('open', 'aggregating', 'completed', 'failed')),
  started_at        INTEGER NOT NULL,
  deadline_at       INTEGER,
  completed_at      INTEGER,
  checkpoint_path   TEXT,
  checkpoint_sha256 TEXT,
  state_path        TEXT,
  state_sha256      TEXT,
  metrics           TEXT CHECK (metrics IS NULL OR json_valid(metrics)),
  error             TEXT,
  PRIMARY KEY (run_id, round_index, attempt),
  CHECK (status <> 'completed' OR (checkpoint_path IS NOT NULL AND checkpoint_sha256 IS NOT NULL))
) STRICT;
CREATE UNIQUE INDEX rounds_one_completion ON rounds (run_id, round_index) WHERE status = 'completed';

CREATE TABLE contributions (
  run_id           TEXT NOT NULL,
  round_index      INTEGER NOT NULL,
  attempt          INTEGER NOT NULL,
  site_id          TEXT NOT NULL REFERENCES sites (id),
  record_count     INTEGER NOT NULL CHECK (record_count >= 0),
  accepted         INTEGER NOT NULL CHECK (accepted IN (0, 1)),
  rejection_code   TEXT,
  rejection_reason TEXT,
  metrics          TEXT CHECK (metrics IS NULL OR json_valid(metrics)),
  received_at      INTEGER NOT NULL,
  PRIMARY KEY (run_id, round_index, attempt, site_id),
  FOREIGN KEY (run_id, round_index, attempt) REFERENCES rounds (run_id, round_index, attempt) ON DELETE CASCADE,
  CHECK (accepted = 1 OR rejection_code IS NOT NULL)
) STRICT;
CREATE INDEX contributions_site ON contributions (site_id);

CREATE TABLE audit_log (
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  at      INTEGER NOT NULL,
  actor   TEXT NOT NULL,
  action  TEXT NOT NULL,
  subject TEXT,
  details TEXT CHECK (details IS NULL OR json_valid(details))
) STRICT;
CREATE INDEX audit_log_subject ON audit_log (subject, id);
`;

// Evaluation rounds: one row per evaluated round (the combined, record-weighted metrics),
// one per asked site (its aggregate metrics, or why it gave none). Kept apart from `rounds`
// because an evaluation never gates a round: it may finish after the next round, or fail
// while training goes on.
const EVALUATIONS_SCHEMA = `
CREATE TABLE evaluations (
  run_id        TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  round_index   INTEGER NOT NULL CHECK (round_index >= 0),
  status        TEXT NOT NULL CHECK (status IN ('collecting', 'completed', 'failed')),
  asked         TEXT NOT NULL CHECK (json_valid(asked)),
  started_at    INTEGER NOT NULL,
  deadline_at   INTEGER NOT NULL,
  completed_at  INTEGER,
  metrics       TEXT CHECK (metrics IS NULL OR json_valid(metrics)),
  site_count    INTEGER CHECK (site_count IS NULL OR site_count >= 0),
  record_count  INTEGER CHECK (record_count IS NULL OR record_count >= 0),
  failure_count INTEGER CHECK (failure_count IS NULL OR failure_count >= 0),
  error         TEXT,
  PRIMARY KEY (run_id, round_index),
  CHECK (status <> 'completed' OR metrics IS NOT NULL)
) STRICT;

CREATE TABLE evaluation_sites (
  run_id       TEXT NOT NULL,
  round_index  INTEGER NOT NULL,
  site_id      TEXT NOT NULL REFERENCES sites (id),
  record_count INTEGER NOT NULL CHECK (record_count >= 0),
  metrics      TEXT CHECK (metrics IS NULL OR json_valid(metrics)),
  error_code   TEXT,
  error_reason TEXT,
  received_at  INTEGER NOT NULL,
  PRIMARY KEY (run_id, round_index, site_id),
  FOREIGN KEY (run_id, round_index) REFERENCES evaluations (run_id, round_index) ON DELETE CASCADE,
  CHECK ((metrics IS NULL) <> (error_code IS NULL))
) STRICT;
`;

// What each site reports of its own privacy loss (differentially private runs): the ε it had
// spent after training for an attempt of a round, from its own accountant. Kept per attempt,
// since a site spends its budget whether or not the attempt completes.
const SITE_PRIVACY_SCHEMA = `
CREATE TABLE site_privacy (
  run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  round_index INTEGER NOT NULL CHECK (round_index >= 0),
  attempt     INTEGER NOT NULL CHECK (attempt >= 1),
  site_id     TEXT NOT NULL REFERENCES sites (id),
  epsilon     REAL NOT NULL CHECK (epsilon >= 0),
  delta       REAL NOT NULL CHECK (delta > 0 AND delta < 1),
  steps       INTEGER NOT NULL CHECK (steps >= 0),
  received_at INTEGER NOT NULL,
  PRIMARY KEY (run_id, round_index, attempt, site_id)
) STRICT;
`;

export const MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    description: 'sites, runs, rounds, contributions, audit log',
    up: (db: Database) => {
      db.exec(INITIAL_SCHEMA);
    },
  },
  {
    version: 2,
    description: 'evaluations, evaluation_sites',
    up: (db: Database) => {
      db.exec(EVALUATIONS_SCHEMA);
    },
  },
  {
    version: 3,
    description: 'site_privacy (ε spent per site per round)',
    up: (db: Database) => {
      db.exec(SITE_PRIVACY_SCHEMA);
    },
  },
  {
    version: 4,
    description: 'runs.marginal_target (pooled prevalences, float32 little-endian)',
    up: (db: Database) => {
      db.exec('ALTER TABLE runs ADD COLUMN marginal_target BLOB');
    },
  },
]);

const VERSION_TABLE = `
CREATE TABLE IF NOT EXISTS schema_version (
  version     INTEGER PRIMARY KEY,
  description TEXT NOT NULL,
  applied_at  INTEGER NOT NULL
) STRICT`;

/** The highest applied migration, 0 for an empty database. */
export function schemaVersion(db: Database): number {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
  if (!exists) return 0;
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_version').get() as { version: number | null };
  return row.version ?? 0;
}

/**
 * Brings the database to the latest version in `migrations`, applying each missing one in
 * order. Refuses a database written by a newer coordinator (its schema is unknown here)
 * and a migration list with gaps. Returns the versions applied.
 */
export function migrate(
  db: Database,
  options: { migrations?: readonly Migration[]; now?: () => number } = {},
): number[] {
  const migrations = options.migrations ?? MIGRATIONS;
  const now = options.now ?? Date.now;
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new CoordinatorError(`migration ${i + 1} is numbered ${m.version}; versions must be 1, 2, 3, ...`, 'STORE_MIGRATION');
    }
  });
  db.exec(VERSION_TABLE);
  const current = schemaVersion(db);
  const latest = migrations.length;
  if (current > latest) {
    throw new CoordinatorError(
      `database ${db.name} has schema version ${current}, newer than this coordinator's ${latest}; ` +
        'upgrade the coordinator or restore a backup',
      'STORE_TOO_NEW',
    );
  }
  const record = db.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)');
  const applied: number[] = [];
  for (const migration of migrations.slice(current)) {
    db.transaction(() => {
      migration.up(db);
      record.run(migration.version, migration.description, now());
    }).immediate();
    applied.push(migration.version);
  }
  return applied;
}
