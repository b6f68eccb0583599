import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FedsynthError } from '@fedsynth/gan';

/** Marks a folder as a demo's, so a second run may replace it (and never anything else). */
export const DEMO_MARKER = '.fedsynth-demo';

/** Where everything of one demo lives, under --out. */
export interface DemoPaths {
  root: string;
  /** Site folders data/site-N, data/holdout and data/train (all sites pooled, for the report). */
  data: string;
  siteData(index: number): string;
  holdout: string;
  train: string;
  /** The coordinator's --data-dir: SQLite database and checkpoints. */
  coordinator: string;
  generator: string;
  synthetic: string;
  report: string;
  logs: string;
  /** The admin token of this demo's coordinator (mode 0600), for the dashboard login. */
  adminToken: string;
  notice: string;
}

export function demoPaths(root: string): DemoPaths {
  const data = path.join(root, 'data');
  return {
    root,
    data,
    siteData: (index) => path.join(data, `site-${index}`),
    holdout: path.join(data, 'holdout'),
    train: path.join(data, 'train'),
    coordinator: path.join(root, 'coordinator'),
    generator: path.join(root, 'generator'),
    synthetic: path.join(root, 'synthetic.csv'),
    report: path.join(root, 'report'),
    logs: path.join(root, 'logs'),
    adminToken: path.join(root, 'admin-token'),
    notice: path.join(root, 'NOTICE.md'),
  };
}

/**
 * An empty work folder: created if missing, emptied if an earlier demo wrote it, refused if
 * it holds anything else (the demo deletes what it replaces, so it must be sure it is its own).
 */
export async function prepareWorkspace(paths: DemoPaths): Promise<void> {
  let entries: string[] = [];
  try {
    entries = await readdir(paths.root);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new FedsynthError(`--out ${paths.root} is a file, not a folder`, 'CLI_BAD_OPTION');
    if (code !== 'ENOENT') throw error;
  }
  if (entries.length > 0 && !entries.includes(DEMO_MARKER)) {
    throw new FedsynthError(`--out ${paths.root} is not empty and was not written by 'fedsynth demo'; choose another --out (or an empty folder)`, 'CLI_BAD_OPTION');
  }
  for (const entry of entries) await rm(path.join(paths.root, entry), { recursive: true, force: true });
  await mkdir(paths.logs, { recursive: true });
  await writeFile(path.join(paths.root, DEMO_MARKER), 'Written by fedsynth demo; the next demo run with this --out replaces this folder.\n');
}
