import { csvField, csvLine } from './csv-field';

describe('csvField', () => {
  it('leaves plain text and numbers alone', () => {
    expect(csvField('Hypertension NOS')).toBe('Hypertension NOS');
    expect(csvField(4019)).toBe('4019');
  });

  it('quotes commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvField('Tuberculosis of lung, unspecified')).toBe('"Tuberculosis of lung, unspecified"');
    expect(csvField('so-called "open" wound')).toBe('"so-called ""open"" wound"');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });
});

describe('csvLine', () => {
  it('joins fields and ends with LF', () => {
    expect(csvLine([1, '01716', 'Erythem nod tb, oth'])).toBe('1,01716,"Erythem nod tb, oth"\n');
  });
});
