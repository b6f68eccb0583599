import { fedsynth } from '../generated/fedsynth';
import { codeLevelCodec, dtypeCodec, phaseCodec, recordUnitCodec, siteStateCodec, vocabularySourceCodec } from './enum-codecs';

describe('enum codecs', () => {
  it.each([
    ['dtype', dtypeCodec, ['float32', 'float16']],
    ['phase', phaseCodec, ['autoencoder', 'gan']],
    ['recordUnit', recordUnitCodec, ['patient', 'admission']],
    ['codeLevel', codeLevelCodec, ['full', 'category']],
    ['vocabularySource', vocabularySourceCodec, ['fixed', 'union']],
    ['siteState', siteStateCodec, ['idle', 'training', 'evaluating']],
  ] as const)('%s round-trips every value and refuses zero and unknowns', (_, codec, values) => {
    const c = codec as { toWire(v: string, f: string): number; fromWire(v: number | undefined, f: string): string };
    for (const value of values) expect(c.fromWire(c.toWire(value, 'f'), 'f')).toBe(value);
    expect(() => c.fromWire(0, 'f')).toThrow(expect.objectContaining({ code: 'MISSING_FIELD' }));
    expect(() => c.fromWire(undefined, 'f')).toThrow(expect.objectContaining({ code: 'MISSING_FIELD' }));
    expect(() => c.toWire('toString', 'f')).toThrow(expect.objectContaining({ field: 'f' }));
  });

  it('uses the wire values of the .proto', () => {
    expect(dtypeCodec.toWire('float16', 'f')).toBe(fedsynth.v1.DType.DTYPE_FLOAT16);
    expect(() => dtypeCodec.fromWire(9, 'f')).toThrow(expect.objectContaining({ code: 'UNKNOWN_DTYPE' }));
    expect(() => phaseCodec.fromWire(9, 'f')).toThrow(expect.objectContaining({ code: 'INVALID_VALUE' }));
  });
});
