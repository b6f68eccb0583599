import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Finds a MIMIC-III table in a folder: `NAME.csv` or `NAME.csv.gz`, in upper or lower case
 * (PhysioNet ships upper case; many extracts and tools lower-case names).
 */
export async function resolveTable(folder: string, name: string): Promise<string | undefined> {
  let entries: string[];
  try {
    entries = await fs.readdir(folder);
  } catch {
    return undefined;
  }
  const wanted = [`${name}.csv`, `${name}.csv.gz`].map((n) => n.toLowerCase());
  for (const w of wanted) {
    const hit = entries.find((e) => e.toLowerCase() === w);
    if (hit) return path.join(folder, hit);
  }
  return undefined;
}
