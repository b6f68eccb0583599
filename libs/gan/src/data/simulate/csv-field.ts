/**
 * One CSV field per RFC 4180: quoted only when it holds a comma, quote or line break, with
 * inner quotes doubled. ICD-9 long titles contain commas ("Tuberculosis of ..., unspecified").
 */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV line (LF-terminated, like the MIMIC-III files) from its fields. */
export function csvLine(fields: readonly (string | number)[]): string {
  return `${fields.map(csvField).join(',')}\n`;
}
