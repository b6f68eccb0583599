import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlockWriter } from './block-writer';

describe('BlockWriter', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fedsynth-block-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes everything, in order, across many small blocks', async () => {
    const path = join(dir, 'out.csv');
    const writer = await BlockWriter.create(path, 64);
    let expected = '';
    for (let i = 0; i < 1000; i++) {
      const line = `${i},é${i % 7}\n`;
      writer.write(line);
      expected += line;
      if (writer.full) await writer.flushIfFull();
      expect(writer.full).toBe(false);
      if (i === 500) writer.write('x'.repeat(100) + '\n'); // longer than a block
      if (i === 500) expected += 'x'.repeat(100) + '\n';
    }
    await writer.close();
    expect(await readFile(path, 'utf8')).toBe(expected);
    expect(writer.written).toBe(Buffer.byteLength(expected));
  });

  it('holds text until a flush', async () => {
    const path = join(dir, 'held.csv');
    const writer = await BlockWriter.create(path);
    writer.write('a,b\n');
    expect(await readFile(path, 'utf8')).toBe('');
    await writer.close();
    expect(await readFile(path, 'utf8')).toBe('a,b\n');
  });
});
