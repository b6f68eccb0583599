import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** fsync a directory, making the entries created or renamed in it durable. */
export async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Creates a directory (and its parents) and fsyncs the parent of the highest one created,
 * so the new directory itself survives a power cut.
 */
export async function makeDirectoryDurable(path: string): Promise<void> {
  const first = await mkdir(path, { recursive: true });
  if (first !== undefined) await syncDirectory(dirname(first));
}

/**
 * Writes `bytes` to `path` so that a reader (or a restart after a crash) sees either the
 * old file or the complete new one, never a torn write: write a temporary file in the same
 * directory, fsync it, rename it over the target (atomic within one file system), then
 * fsync the directory so the rename itself is durable.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array, options: { mode?: number } = {}): Promise<void> {
  const directory = dirname(path);
  await makeDirectoryDurable(directory);
  const temporary = join(directory, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'wx', options.mode ?? 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await syncDirectory(directory);
}
