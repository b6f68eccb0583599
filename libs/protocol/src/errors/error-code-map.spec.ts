import { fedsynth } from '../generated/fedsynth';
import { errorCodeFromWire, errorCodeToWire } from './error-code-map';
import { isProtocolErrorCode, PROTOCOL_ERROR_CODES, ProtocolError, toProtocolError } from './protocol-error';

describe('error codes', () => {
  it('maps every code to a distinct wire value and back', () => {
    const wires = PROTOCOL_ERROR_CODES.map(errorCodeToWire);
    expect(new Set(wires).size).toBe(PROTOCOL_ERROR_CODES.length);
    for (const code of PROTOCOL_ERROR_CODES) expect(errorCodeFromWire(errorCodeToWire(code))).toBe(code);
  });

  it('covers every value of the wire enum (the .proto and the TypeScript list agree)', () => {
    const wireValues = Object.values(fedsynth.v1.ErrorCode).filter((v): v is number => typeof v === 'number');
    expect(new Set(PROTOCOL_ERROR_CODES.map(errorCodeToWire))).toEqual(new Set(wireValues));
    // Names match too: ERROR_CODE_<CODE>, with UNKNOWN on the unspecified zero.
    for (const code of PROTOCOL_ERROR_CODES) {
      const name = code === 'UNKNOWN' ? 'ERROR_CODE_UNSPECIFIED' : `ERROR_CODE_${code}`;
      expect((fedsynth.v1.ErrorCode as unknown as Record<string, number>)[name]).toBe(errorCodeToWire(code));
    }
  });

  it('reads values from newer peers as UNKNOWN', () => {
    expect(errorCodeFromWire(4242)).toBe('UNKNOWN');
  });

  it('wraps foreign errors, keeping ProtocolErrors as they are', () => {
    const original = new ProtocolError('BUSY', 'later', { field: 'x' });
    expect(toProtocolError(original)).toBe(original);
    expect(original.message).toBe('x: later');
    const wrapped = toProtocolError(new RangeError('boom'), 'MALFORMED');
    expect([wrapped.code, wrapped.message, wrapped.cause instanceof RangeError]).toEqual(['MALFORMED', 'boom', true]);
    expect(toProtocolError('text').code).toBe('INTERNAL');
    expect(isProtocolErrorCode('BUSY')).toBe(true);
    expect(isProtocolErrorCode('busy')).toBe(false);
    expect(original.withMessageId('m')).toMatchObject({ code: 'BUSY', field: 'x', messageId: 'm', message: 'x: later' });
  });
});
