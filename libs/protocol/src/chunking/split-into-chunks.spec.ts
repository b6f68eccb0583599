import { createHash } from 'node:crypto';
import { ProtocolError } from '../errors/protocol-error';
import { splitIntoChunks } from './split-into-chunks';

describe('splitIntoChunks', () => {
  const bytes = Uint8Array.from({ length: 10 }, (_, i) => i);

  it('cuts into views of at most the chunk size, all naming the whole', () => {
    const chunks = splitIntoChunks(bytes, 4, 'm1');
    expect(chunks.map((c) => Array.from(c.data))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(chunks.map((c) => [c.index, c.total, c.totalBytes, c.messageId])).toEqual([
      [0, 3, 10, 'm1'],
      [1, 3, 10, 'm1'],
      [2, 3, 10, 'm1'],
    ]);
    expect(chunks[1]!.data.buffer).toBe(bytes.buffer);
    const sha = createHash('sha256').update(bytes).digest();
    for (const c of chunks) expect(Buffer.from(c.digest).equals(sha)).toBe(true);
  });

  it('makes one chunk when the message fits', () => {
    expect(splitIntoChunks(bytes, 10, 'm')).toHaveLength(1);
    expect(splitIntoChunks(bytes, 1000, 'm')[0]!.data.length).toBe(10);
  });

  it('refuses a bad chunk size or nothing to split', () => {
    expect(() => splitIntoChunks(bytes, 0, 'm')).toThrow(ProtocolError);
    expect(() => splitIntoChunks(bytes, 2.5, 'm')).toThrow(ProtocolError);
    expect(() => splitIntoChunks(new Uint8Array(0), 4, 'm')).toThrow(ProtocolError);
  });
});
