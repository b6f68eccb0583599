import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { useTempDir } from '../__fixtures__/temp-dir';
import { writeFileAtomic } from './atomic-write';

describe('writeFileAtomic', () => {
  const dir = useTempDir();

  it('writes a file in new directories, private to the owner, leaving no temporary file', async () => {
    const path = join(dir.path, 'a', 'b', 'file.bin');

    await writeFileAtomic(path, Uint8Array.from([1, 2, 3]));

    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir.path, 'a', 'b'))).toEqual(['file.bin']);
  });

  it('replaces an existing file whole', async () => {
    const path = join(dir.path, 'file.bin');
    await writeFileAtomic(path, new Uint8Array(1000).fill(1));

    await writeFileAtomic(path, Uint8Array.from([9]));

    expect([...readFileSync(path)]).toEqual([9]);
  });

  it('removes its temporary file when the rename fails', async () => {
    const path = join(dir.path, 'taken');
    mkdirSync(join(path, 'child'), { recursive: true }); // a non-empty directory cannot be renamed over

    await expect(writeFileAtomic(path, Uint8Array.from([1]))).rejects.toThrow();

    expect(readdirSync(dir.path)).toEqual(['taken']);
  });
});
