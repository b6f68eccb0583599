import { dottedIcd9, icd9Chapter, synthesizeIcd9Dictionary } from './icd9';

describe('icd9Chapter', () => {
  it('maps codes to ICD-9-CM chapters', () => {
    expect(icd9Chapter('4019')).toBe('390-459');
    expect(icd9Chapter('25000')).toBe('240-279');
    expect(icd9Chapter('0389')).toBe('001-139');
    expect(icd9Chapter('99591')).toBe('800-999');
    expect(icd9Chapter('V4581')).toBe('V');
    expect(icd9Chapter('E8788')).toBe('E');
  });
});

describe('dottedIcd9', () => {
  it('inserts the dot after the category', () => {
    expect(dottedIcd9('4019')).toBe('401.9');
    expect(dottedIcd9('E8788')).toBe('E878.8');
    expect(dottedIcd9('042')).toBe('042');
  });
});

describe('synthesizeIcd9Dictionary', () => {
  it('makes distinct ICD-9-shaped codes with titles', () => {
    const small = synthesizeIcd9Dictionary(10);
    expect(small).toHaveLength(12900);
    expect(small[0]).toEqual({
      rowId: 1,
      code: '0010',
      shortTitle: 'Simulated dx 001.0',
      longTitle: 'Simulated diagnosis 001.0 (no real ICD-9 title available)',
    });
    const large = synthesizeIcd9Dictionary(20000);
    expect(large).toHaveLength(20000);
    expect(new Set(large.map((e) => e.code)).size).toBe(20000);
    expect(large.every((e) => /^(\d{3}|V\d{2}|E\d{3})\d{1,2}$/.test(e.code))).toBe(true);
  });
});
