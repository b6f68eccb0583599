import { fedsynth } from '../generated/fedsynth';
import type { ProtocolErrorCode } from './protocol-error';

const WireCode = fedsynth.v1.ErrorCode;

/**
 * ProtocolErrorCode ↔ wire enum. A `Record` over every code, so adding a code to
 * PROTOCOL_ERROR_CODES without giving it a wire value fails to compile.
 */
const TO_WIRE: Readonly<Record<ProtocolErrorCode, fedsynth.v1.ErrorCode>> = {
  UNKNOWN: WireCode.ERROR_CODE_UNSPECIFIED,
  MALFORMED: WireCode.ERROR_CODE_MALFORMED,
  UNSUPPORTED_VERSION: WireCode.ERROR_CODE_UNSUPPORTED_VERSION,
  MISSING_FIELD: WireCode.ERROR_CODE_MISSING_FIELD,
  INVALID_VALUE: WireCode.ERROR_CODE_INVALID_VALUE,
  UNKNOWN_DTYPE: WireCode.ERROR_CODE_UNKNOWN_DTYPE,
  SHAPE_MISMATCH: WireCode.ERROR_CODE_SHAPE_MISMATCH,
  NON_FINITE: WireCode.ERROR_CODE_NON_FINITE,
  TOO_LARGE: WireCode.ERROR_CODE_TOO_LARGE,
  DUPLICATE_NAME: WireCode.ERROR_CODE_DUPLICATE_NAME,
  CHUNK_MISSING: WireCode.ERROR_CODE_CHUNK_MISSING,
  CHUNK_DUPLICATE: WireCode.ERROR_CODE_CHUNK_DUPLICATE,
  CHUNK_MISMATCH: WireCode.ERROR_CODE_CHUNK_MISMATCH,
  DIGEST_MISMATCH: WireCode.ERROR_CODE_DIGEST_MISMATCH,
  UNEXPECTED_MESSAGE: WireCode.ERROR_CODE_UNEXPECTED_MESSAGE,
  UNAUTHORIZED: WireCode.ERROR_CODE_UNAUTHORIZED,
  STALE_ROUND: WireCode.ERROR_CODE_STALE_ROUND,
  UPDATE_REJECTED: WireCode.ERROR_CODE_UPDATE_REJECTED,
  TIMEOUT: WireCode.ERROR_CODE_TIMEOUT,
  BUSY: WireCode.ERROR_CODE_BUSY,
  INTERNAL: WireCode.ERROR_CODE_INTERNAL,
  PRIVACY_BUDGET_EXCEEDED: WireCode.ERROR_CODE_PRIVACY_BUDGET_EXCEEDED,
  SECURE_AGGREGATION_FAILED: WireCode.ERROR_CODE_SECURE_AGGREGATION_FAILED,
};

const FROM_WIRE: ReadonlyMap<number, ProtocolErrorCode> = new Map(
  (Object.entries(TO_WIRE) as [ProtocolErrorCode, number][]).map(([code, wire]) => [wire, code]),
);

export function errorCodeToWire(code: ProtocolErrorCode): fedsynth.v1.ErrorCode {
  return TO_WIRE[code];
}

/**
 * Wire value → code. A value from a newer peer that this version does not know becomes
 * `UNKNOWN` instead of failing: an error about an error would help nobody.
 */
export function errorCodeFromWire(wire: number): ProtocolErrorCode {
  return FROM_WIRE.get(wire) ?? 'UNKNOWN';
}
