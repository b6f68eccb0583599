import { join } from 'node:path';
import { DataError, FedsynthError } from '../../errors/fedsynth-error';
import { loadIcd9Dictionary, parseIcd9Dictionary } from './icd9-dictionary';

const DEMO_DICTIONARY = join(__dirname, '../../../../../data/mimic-iii-demo/D_ICD_DIAGNOSES.csv');

describe('parseIcd9Dictionary', () => {
  it('reads quoted titles with commas, doubled quotes and CRLF', () => {
    const text =
      'ROW_ID,ICD9_CODE,SHORT_TITLE,LONG_TITLE\r\n' +
      '1,01716,Erythem nod tb-oth test,"Erythema nodosum, tuberculosis"\r\n' +
      '2,4019,Hypertension NOS,"Unspecified ""essential"" hypertension"\r\n';
    expect(parseIcd9Dictionary(text)).toEqual([
      { rowId: 1, code: '01716', shortTitle: 'Erythem nod tb-oth test', longTitle: 'Erythema nodosum, tuberculosis' },
      { rowId: 2, code: '4019', shortTitle: 'Hypertension NOS', longTitle: 'Unspecified "essential" hypertension' },
    ]);
  });

  it('skips empty and repeated codes', () => {
    const text = 'row_id,icd9_code,short_title,long_title\n1,4019,a,b\n2,,c,d\n3,4019,e,f\n\n';
    expect(parseIcd9Dictionary(text).map((e) => e.code)).toEqual(['4019']);
  });

  it('names the file and line of a malformed row', () => {
    const text = 'row_id,icd9_code,short_title,long_title\n1,4019,a,b\n2,4280,"unclosed,x\n';
    expect(() => parseIcd9Dictionary(text, 'dict.csv')).toThrow(DataError);
    expect(() => parseIcd9Dictionary(text, 'dict.csv')).toThrow('dict.csv:3: unterminated quoted field');
    expect(() => parseIcd9Dictionary('row_id,icd9_code,short_title,long_title\n1,4019,a\n', 'd.csv')).toThrow('d.csv:2: expected 4 fields, found 3');
    expect(() => parseIcd9Dictionary('code,title\n', 'd.csv')).toThrow('d.csv:1: missing column(s) row_id, icd9_code, short_title, long_title; found code, title');
  });
});

describe('loadIcd9Dictionary', () => {
  it('loads the bundled MIMIC-III dictionary (14,567 codes)', async () => {
    const entries = await loadIcd9Dictionary(DEMO_DICTIONARY);
    expect(entries).toHaveLength(14567);
    expect(entries.find((e) => e.code === '4019')?.shortTitle).toBe('Hypertension NOS');
  });

  it('reports a missing file as a FedsynthError', async () => {
    await expect(loadIcd9Dictionary('/no/such/D_ICD_DIAGNOSES.csv')).rejects.toThrow(FedsynthError);
    await expect(loadIcd9Dictionary('/no/such/D_ICD_DIAGNOSES.csv')).rejects.toThrow('ENOENT');
  });
});
