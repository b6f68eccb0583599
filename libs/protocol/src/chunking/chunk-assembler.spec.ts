import { ProtocolError, type ProtocolErrorCode } from '../errors/protocol-error';
import type { Chunk } from '../messages/types';
import { SeededRandom } from '../testing/seeded-random';
import { shuffled } from '../testing/shuffle';
import { ChunkAssembler } from './chunk-assembler';
import { splitIntoChunks } from './split-into-chunks';

function codeOf(fn: () => unknown): ProtocolErrorCode | 'none' {
  try {
    fn();
    return 'none';
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return error.code;
  }
}

describe('ChunkAssembler', () => {
  const rng = new SeededRandom(99);
  const message = rng.bytes(1000);
  const chunks = splitIntoChunks(message, 64, 'msg-1'); // 16 chunks

  it('reassembles chunks in any order into an aligned copy', () => {
    for (let trial = 0; trial < 20; trial++) {
      const assembler = new ChunkAssembler();
      const order = shuffled(chunks, rng);
      const results = order.map((c) => assembler.accept(c, 0));
      expect(results.slice(0, -1).every((r) => r === undefined)).toBe(true);
      const whole = results.at(-1)!;
      expect(Buffer.from(whole).equals(Buffer.from(message))).toBe(true);
      expect(whole.byteOffset).toBe(0);
      expect(assembler.pendingMessages).toBe(0);
      expect(assembler.bufferedBytes).toBe(0);
    }
  });

  it('flags a duplicate chunk without losing the message', () => {
    const assembler = new ChunkAssembler();
    assembler.accept(chunks[3]!, 0);
    expect(codeOf(() => assembler.accept(chunks[3]!, 0))).toBe('CHUNK_DUPLICATE');
    let whole: Uint8Array | undefined;
    for (const c of chunks) if (c.index !== 3) whole = assembler.accept(c, 0);
    expect(whole?.length).toBe(1000);
    // ...and a chunk of a message already delivered.
    expect(codeOf(() => assembler.accept(chunks[0]!, 0))).toBe('CHUNK_DUPLICATE');
  });

  it('lists missing chunks and gives up on them after the idle timeout', () => {
    const expired: ProtocolError[] = [];
    const assembler = new ChunkAssembler({ timeoutMs: 1000, onExpired: (e) => expired.push(e) });
    for (const c of chunks) if (c.index !== 5 && c.index !== 9) assembler.accept(c, 0);
    expect(assembler.missing('msg-1')).toEqual([5, 9]);
    expect(assembler.expire(999)).toEqual([]);
    const errors = assembler.expire(1000);
    expect(errors.map((e) => [e.code, e.messageId])).toEqual([['CHUNK_MISSING', 'msg-1']]);
    expect(errors[0]!.message).toContain('2 of 16 chunks missing (5, 9)');
    expect(assembler.pendingMessages).toBe(0);
    expect(assembler.bufferedBytes).toBe(0);
    expect(assembler.missing('msg-1')).toBeUndefined();

    // Without an explicit expire(), the next accept() evicts and reports through onExpired.
    assembler.accept(chunks[0]!, 5000);
    assembler.accept(splitIntoChunks(message, 64, 'msg-2')[0]!, 7000);
    expect(expired.map((e) => [e.code, e.messageId])).toEqual([['CHUNK_MISSING', 'msg-1']]);
  });

  it('detects chunks that disagree, and drops that message', () => {
    const assembler = new ChunkAssembler();
    assembler.accept(chunks[0]!, 0);
    const other: Chunk = { ...chunks[1]!, total: 17 };
    expect(codeOf(() => assembler.accept(other, 0))).toBe('CHUNK_MISMATCH');
    expect(assembler.pendingMessages).toBe(0);

    assembler.accept(chunks[0]!, 0);
    const badDigest: Chunk = { ...chunks[1]!, digest: new Uint8Array(32) };
    expect(codeOf(() => assembler.accept(badDigest, 0))).toBe('CHUNK_MISMATCH');

    assembler.accept(chunks[0]!, 0);
    const tooLong: Chunk = { ...chunks[1]!, data: new Uint8Array(990) };
    expect(codeOf(() => assembler.accept(tooLong, 0))).toBe('CHUNK_MISMATCH');
  });

  it('detects corrupted data through the digest', () => {
    const assembler = new ChunkAssembler();
    const corrupt = chunks.map((c) => (c.index === 7 ? { ...c, data: c.data.map((b) => b ^ 1) } : c));
    const last = corrupt.map((c) => codeOf(() => assembler.accept(c, 0))).at(-1);
    expect(last).toBe('DIGEST_MISMATCH');
  });

  it('detects chunks that add up to less than announced', () => {
    const assembler = new ChunkAssembler();
    const short = chunks.map((c) => (c.index === 2 ? { ...c, data: c.data.subarray(1) } : c));
    const codes = short.map((c) => codeOf(() => assembler.accept(c, 0)));
    expect(codes.at(-1)).toBe('CHUNK_MISMATCH');
  });

  it('bounds memory: message size, chunk count, partial messages, buffered bytes', () => {
    expect(codeOf(() => new ChunkAssembler({ maxMessageBytes: 999 }).accept(chunks[0]!, 0))).toBe('TOO_LARGE');
    expect(codeOf(() => new ChunkAssembler({ maxChunks: 15 }).accept(chunks[0]!, 0))).toBe('TOO_LARGE');

    const few = new ChunkAssembler({ maxPartialMessages: 2 });
    few.accept(splitIntoChunks(message, 64, 'a')[0]!, 0);
    few.accept(splitIntoChunks(message, 64, 'b')[0]!, 0);
    expect(codeOf(() => few.accept(splitIntoChunks(message, 64, 'c')[0]!, 0))).toBe('BUSY');

    const small = new ChunkAssembler({ maxBufferedBytes: 100 });
    small.accept(chunks[0]!, 0);
    expect(codeOf(() => small.accept(chunks[1]!, 0))).toBe('BUSY');
    expect(small.bufferedBytes).toBe(0);
  });

  it('forgets old completed ids beyond its memory', () => {
    const assembler = new ChunkAssembler({ rememberCompleted: 2 });
    for (const id of ['a', 'b', 'c']) assembler.accept(splitIntoChunks(message, 1000, id)[0]!, 0);
    expect(codeOf(() => assembler.accept(splitIntoChunks(message, 1000, 'c')[0]!, 0))).toBe('CHUNK_DUPLICATE');
    expect(codeOf(() => assembler.accept(splitIntoChunks(message, 1000, 'a')[0]!, 0))).toBe('none');
  });
});
