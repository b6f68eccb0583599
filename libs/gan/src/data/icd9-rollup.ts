/**
 * The 3-character ICD-9 category of a code as stored in MIMIC-III (no dot): `4019` → `401`,
 * `V4581` → `V45`. External-cause codes keep 4 characters (`E8798` → `E879`), as medGAN's
 * preprocessing does, because their first 3 characters say almost nothing.
 */
export function icd9Category(code: string): string {
  const c = code.trim();
  if (c.startsWith('E') || c.startsWith('e')) return c.length > 4 ? c.slice(0, 4) : c;
  return c.length > 3 ? c.slice(0, 3) : c;
}
