import type BetterSqlite3 from 'better-sqlite3';

/** The better-sqlite3 connection type, named once so repositories need no namespace gymnastics. */
export type Database = BetterSqlite3.Database;
