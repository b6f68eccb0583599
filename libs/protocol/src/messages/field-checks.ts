import { ProtocolError } from '../errors/protocol-error';
import type { ProtocolLimits } from '../limits';

/**
 * The checks every codec applies to its fields, the same on encode (so a sender learns of
 * its own bug before sending) and on decode (so a receiver never trusts the wire). Each
 * throws a ProtocolError naming the field.
 *
 * Decoded protobuf values arrive as `T | null | undefined` (absent proto3 fields read as
 * their defaults, but callers may hand in plain objects), hence the loose parameter types.
 */

const ID_PATTERN = /^[\x21-\x7e]+$/; // printable ASCII, no spaces: safe in logs and paths
const CONTROL_CHARS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
const METRIC_NAME = /^[A-Za-z][A-Za-z0-9_.:/-]*$/;

export function checkPresent<T>(value: T | null | undefined, field: string): T {
  if (value === null || value === undefined) throw new ProtocolError('MISSING_FIELD', 'required', { field });
  return value;
}

/** A free text (agent version, reason); empty allowed unless `required`. */
export function checkText(
  value: string | null | undefined,
  field: string,
  limits: ProtocolLimits,
  options: { required?: boolean } = {},
): string {
  const text = value ?? '';
  if (typeof text !== 'string') throw new ProtocolError('INVALID_VALUE', 'not a string', { field });
  if (options.required && text.length === 0) throw new ProtocolError('MISSING_FIELD', 'required', { field });
  if (text.length > limits.maxStringLength) {
    throw new ProtocolError('TOO_LARGE', `${text.length} characters, limit ${limits.maxStringLength}`, { field });
  }
  if (CONTROL_CHARS.test(text)) throw new ProtocolError('INVALID_VALUE', 'contains control characters', { field });
  return text;
}

/** An identifier (message, run, site, session): printable ASCII without spaces. */
export function checkId(
  value: string | null | undefined,
  field: string,
  limits: ProtocolLimits,
  options: { required?: boolean } = { required: true },
): string {
  const id = value ?? '';
  if (typeof id !== 'string') throw new ProtocolError('INVALID_VALUE', 'not a string', { field });
  if (id.length === 0) {
    if (options.required) throw new ProtocolError('MISSING_FIELD', 'required', { field });
    return id;
  }
  if (id.length > limits.maxNameLength) {
    throw new ProtocolError('TOO_LARGE', `${id.length} characters, limit ${limits.maxNameLength}`, { field });
  }
  if (!ID_PATTERN.test(id)) throw new ProtocolError('INVALID_VALUE', 'must be printable ASCII without spaces', { field });
  return id;
}

/** A uint32 with an optional minimum (a zero where ≥ 1 is needed reads as absent). */
export function checkUint32(value: number | null | undefined, field: string, options: { min?: number } = {}): number {
  const n = value ?? 0;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new ProtocolError('INVALID_VALUE', `${String(n)} is not an integer in [0, 2^32)`, { field });
  }
  const min = options.min ?? 0;
  if (n < min) {
    throw new ProtocolError(n === 0 ? 'MISSING_FIELD' : 'INVALID_VALUE', n === 0 ? `required (≥ ${min})` : `must be ≥ ${min}`, {
      field,
    });
  }
  return n;
}

/** A finite double, optionally within [min, max]. */
export function checkFinite(
  value: number | null | undefined,
  field: string,
  options: { min?: number; max?: number } = {},
): number {
  const n = value ?? 0;
  if (typeof n !== 'number') throw new ProtocolError('INVALID_VALUE', 'not a number', { field });
  if (!Number.isFinite(n)) throw new ProtocolError('NON_FINITE', `${n} is not finite`, { field });
  if ((options.min !== undefined && n < options.min) || (options.max !== undefined && n > options.max)) {
    throw new ProtocolError('INVALID_VALUE', `${n} is outside [${options.min ?? '-∞'}, ${options.max ?? '∞'}]`, { field });
  }
  return n;
}

/** A list no longer than `max`; the items are checked by `each`. */
export function checkList<T, R>(
  items: readonly T[] | null | undefined,
  field: string,
  max: number,
  each: (item: T, field: string) => R,
): R[] {
  const list = items ?? [];
  if (!Array.isArray(list)) throw new ProtocolError('INVALID_VALUE', 'not a list', { field });
  if (list.length > max) throw new ProtocolError('TOO_LARGE', `${list.length} items, limit ${max}`, { field });
  return list.map((item, i) => each(item, `${field}[${i}]`));
}

/** Names of metrics and options: a letter, then letters, digits and `_ . : / -`. */
export function checkMetricName(name: string, field: string, limits: ProtocolLimits): string {
  if (name.length === 0 || name.length > limits.maxNameLength || !METRIC_NAME.test(name)) {
    throw new ProtocolError('INVALID_VALUE', `bad metric name ${JSON.stringify(name.slice(0, 64))}`, { field });
  }
  return name;
}

/** name → finite number map (metrics, extra options), copied into a fresh object. */
export function checkMetrics(
  metrics: Readonly<Record<string, number>> | null | undefined,
  field: string,
  limits: ProtocolLimits,
): Record<string, number> {
  const source = metrics ?? {};
  if (typeof source !== 'object') throw new ProtocolError('INVALID_VALUE', 'not a map', { field });
  const entries = Object.entries(source);
  if (entries.length > limits.maxMetrics) {
    throw new ProtocolError('TOO_LARGE', `${entries.length} entries, limit ${limits.maxMetrics}`, { field });
  }
  const out: Record<string, number> = {};
  for (const [name, value] of entries) {
    checkMetricName(name, field, limits);
    out[name] = checkFinite(value, `${field}.${name}`);
  }
  return out;
}

/** A sha256 digest: exactly 32 bytes. */
export function checkDigest(value: Uint8Array | null | undefined, field: string): Uint8Array {
  const digest = value ?? new Uint8Array(0);
  if (!(digest instanceof Uint8Array)) throw new ProtocolError('INVALID_VALUE', 'not bytes', { field });
  if (digest.length === 0) throw new ProtocolError('MISSING_FIELD', 'required', { field });
  if (digest.length !== 32) throw new ProtocolError('INVALID_VALUE', `${digest.length} bytes, a sha256 has 32`, { field });
  return digest;
}
