import { ProtocolError } from '../errors/protocol-error';
import { DEFAULT_LIMITS } from '../limits';
import { checkDigest, checkFinite, checkId, checkList, checkMetrics, checkPresent, checkText, checkUint32 } from './field-checks';
import { metricsFromWire, metricsToWire } from './metrics-codec';

const L = DEFAULT_LIMITS;

function code(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (error) {
    if (error instanceof ProtocolError) return `${error.code} @ ${error.field}`;
    throw error;
  }
}

describe('field checks', () => {
  it('ids: required, printable ASCII without spaces, bounded', () => {
    expect(checkId('run-2024.01/a', 'f', L)).toBe('run-2024.01/a');
    expect(code(() => checkId('', 'f', L))).toBe('MISSING_FIELD @ f');
    expect(checkId(undefined, 'f', L, { required: false })).toBe('');
    expect(code(() => checkId('a b', 'f', L))).toBe('INVALID_VALUE @ f');
    expect(code(() => checkId('é', 'f', L))).toBe('INVALID_VALUE @ f');
    expect(code(() => checkId('x'.repeat(257), 'f', L))).toBe('TOO_LARGE @ f');
  });

  it('text: any printable text incl. newlines and unicode, no control characters', () => {
    expect(checkText('line 1\nligne 2 — ok', 'f', L)).toBe('line 1\nligne 2 — ok');
    expect(checkText(null, 'f', L)).toBe('');
    expect(code(() => checkText('', 'f', L, { required: true }))).toBe('MISSING_FIELD @ f');
    expect(code(() => checkText('bell\u0007', 'f', L))).toBe('INVALID_VALUE @ f');
  });

  it('uint32: integers in range, a zero below the minimum reads as absent', () => {
    expect(checkUint32(4294967295, 'f')).toBe(4294967295);
    expect(checkUint32(undefined, 'f')).toBe(0);
    expect(code(() => checkUint32(0, 'f', { min: 1 }))).toBe('MISSING_FIELD @ f');
    expect(code(() => checkUint32(3, 'f', { min: 4 }))).toBe('INVALID_VALUE @ f');
    expect(code(() => checkUint32(-1, 'f'))).toBe('INVALID_VALUE @ f');
    expect(code(() => checkUint32(0.5, 'f'))).toBe('INVALID_VALUE @ f');
  });

  it('finite numbers within bounds', () => {
    expect(checkFinite(0.5, 'f', { min: 0, max: 1 })).toBe(0.5);
    expect(code(() => checkFinite(NaN, 'f'))).toBe('NON_FINITE @ f');
    expect(code(() => checkFinite(1.5, 'f', { min: 0, max: 1 }))).toBe('INVALID_VALUE @ f');
  });

  it('lists, presence and digests', () => {
    expect(checkList([1, 2], 'xs', 2, (x) => x * 2)).toEqual([2, 4]);
    expect(code(() => checkList([1, 2, 3], 'xs', 2, (x) => x))).toBe('TOO_LARGE @ xs');
    expect(code(() => checkList([1, -1], 'xs', 5, (x, f) => checkUint32(x, f)))).toBe('INVALID_VALUE @ xs[1]');
    expect(code(() => checkPresent(null, 'o'))).toBe('MISSING_FIELD @ o');
    expect(code(() => checkDigest(new Uint8Array(31), 'd'))).toBe('INVALID_VALUE @ d');
    expect(code(() => checkDigest(undefined, 'd'))).toBe('MISSING_FIELD @ d');
  });

  it('metrics: names start with a letter, values finite, count bounded; a fresh copy', () => {
    const metrics = { d_loss: 0.7, 'g/loss': 1.2, 'nzc:mean': 3 };
    const copy = checkMetrics(metrics, 'm', L);
    expect(copy).toEqual(metrics);
    expect(copy).not.toBe(metrics);
    expect(code(() => checkMetrics({ __proto__x: 1 }, 'm', L))).toBe('INVALID_VALUE @ m');
    expect(code(() => checkMetrics({ 'bad name': 1 }, 'm', L))).toBe('INVALID_VALUE @ m');
    expect(code(() => checkMetrics({ loss: Infinity }, 'm', L))).toBe('NON_FINITE @ m.loss');
    expect(code(() => checkMetrics({ a: 1, b: 2 }, 'm', { ...L, maxMetrics: 1 }))).toBe('TOO_LARGE @ m');
    expect(metricsFromWire(metricsToWire(metrics, 'm', L), 'm', L)).toEqual(metrics);
    expect(metricsFromWire(null, 'm', L)).toEqual({});
  });
});
