import { CoordinatorError } from '../errors/coordinator-error';

/** A JSON column value, or null for absent. */
export function toJsonColumn(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/** Parses a JSON column; a broken value names the table, column and row it came from. */
export function fromJsonColumn<T>(text: string | null, where: string): T | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new CoordinatorError(`${where} holds invalid JSON: ${(error as Error).message}`, 'STORE_CORRUPT', { cause: error });
  }
}

/** SQLite constraint failures carry a code such as SQLITE_CONSTRAINT_UNIQUE. */
export function isConstraintError(error: unknown, kind?: 'UNIQUE' | 'PRIMARYKEY' | 'FOREIGNKEY' | 'CHECK'): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_CONSTRAINT')) return false;
  return kind === undefined || code === `SQLITE_CONSTRAINT_${kind}`;
}
