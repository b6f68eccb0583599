import { ProtocolError } from '../errors/protocol-error';
import { DEFAULT_LIMITS } from '../limits';
import type { Chunk } from '../messages/types';
import { digestsEqual } from '../vocabulary/vocabulary-digest';
import { sha256 } from './sha256';

export interface ChunkAssemblerOptions {
  /** Largest message reassembled. Default: DEFAULT_LIMITS.maxMessageBytes. */
  maxMessageBytes?: number;
  /** All partial messages together; default: one largest message. */
  maxBufferedBytes?: number;
  /** Messages being reassembled at once; default 4 (one assembler per connection). */
  maxPartialMessages?: number;
  /** Chunks per message; default 65,536. */
  maxChunks?: number;
  /** A partial message idle this long is dropped as CHUNK_MISSING; default 60 s. */
  timeoutMs?: number;
  /** Completed message ids remembered to recognise late duplicates; default 256. */
  rememberCompleted?: number;
  /** Told of every partial message dropped for idling (with the chunks still missing). */
  onExpired?: (error: ProtocolError) => void;
}

interface Partial {
  readonly total: number;
  readonly totalBytes: number;
  readonly digest: Uint8Array;
  readonly chunks: Map<number, Uint8Array>;
  receivedBytes: number;
  lastActivity: number;
}

const MAX_LISTED_MISSING = 10;

/**
 * Reassembles chunked messages arriving in any order. Bounded: memory by message size,
 * buffered bytes and partial-message count; time by an idle timeout, checked on every
 * `accept` and by `expire()`, so a lost chunk ends in a CHUNK_MISSING error rather than a
 * message waiting forever. Pure bookkeeping: no timers; the caller passes `now`.
 */
export class ChunkAssembler {
  private readonly partials = new Map<string, Partial>();
  private readonly completed = new Set<string>();
  private buffered = 0;
  private readonly maxMessageBytes: number;
  private readonly maxBufferedBytes: number;
  private readonly maxPartialMessages: number;
  private readonly maxChunks: number;
  private readonly timeoutMs: number;
  private readonly rememberCompleted: number;
  private readonly onExpired: ((error: ProtocolError) => void) | undefined;

  constructor(options: ChunkAssemblerOptions = {}) {
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_LIMITS.maxMessageBytes;
    this.maxBufferedBytes = options.maxBufferedBytes ?? this.maxMessageBytes;
    this.maxPartialMessages = options.maxPartialMessages ?? 4;
    this.maxChunks = options.maxChunks ?? 65_536;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.rememberCompleted = options.rememberCompleted ?? 256;
    this.onExpired = options.onExpired;
  }

  /** Messages being reassembled. */
  get pendingMessages(): number {
    return this.partials.size;
  }

  /** Chunk bytes held for incomplete messages. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /**
   * Takes one chunk; returns the whole message's bytes when this chunk completes it (in a
   * fresh buffer at offset 0, so its tensors decode in place), else undefined. Throws
   * ProtocolError for duplicates, inconsistencies, digest mismatch or exceeded limits;
   * except for a duplicate, the message it belongs to is then dropped.
   */
  accept(chunk: Chunk, now: number = Date.now()): Uint8Array | undefined {
    this.evictIdle(now);
    const { messageId, index } = chunk;
    const context = { messageId };
    if (this.completed.has(messageId)) {
      throw new ProtocolError('CHUNK_DUPLICATE', `chunk ${index} of a message already reassembled`, context);
    }
    const partial = this.partials.get(messageId) ?? this.start(chunk);
    try {
      this.checkAgainst(partial, chunk);
    } catch (error) {
      if (!(error instanceof ProtocolError && error.code === 'CHUNK_DUPLICATE')) this.drop(messageId);
      throw error;
    }
    if (this.buffered + chunk.data.length > this.maxBufferedBytes) {
      this.drop(messageId);
      throw new ProtocolError('BUSY', `more than ${this.maxBufferedBytes} chunk bytes buffered`, context);
    }
    partial.chunks.set(index, chunk.data);
    partial.receivedBytes += chunk.data.length;
    partial.lastActivity = now;
    this.buffered += chunk.data.length;
    return partial.chunks.size === partial.total ? this.complete(messageId, partial) : undefined;
  }

  /** Indexes still missing from a message being reassembled (undefined if unknown). */
  missing(messageId: string): number[] | undefined {
    const partial = this.partials.get(messageId);
    if (!partial) return undefined;
    const out: number[] = [];
    for (let i = 0; i < partial.total; i++) if (!partial.chunks.has(i)) out.push(i);
    return out;
  }

  /** Drops partial messages idle for longer than the timeout; returns their CHUNK_MISSING errors. */
  expire(now: number = Date.now()): ProtocolError[] {
    const errors: ProtocolError[] = [];
    for (const [messageId, partial] of this.partials) {
      if (now - partial.lastActivity < this.timeoutMs) continue;
      const missing = this.missing(messageId) ?? [];
      const listed = missing.slice(0, MAX_LISTED_MISSING).join(', ') + (missing.length > MAX_LISTED_MISSING ? ', …' : '');
      errors.push(
        new ProtocolError(
          'CHUNK_MISSING',
          `gave up after ${this.timeoutMs} ms idle: ${missing.length} of ${partial.total} chunks missing (${listed})`,
          { messageId },
        ),
      );
      this.drop(messageId);
    }
    return errors;
  }

  private evictIdle(now: number): void {
    for (const error of this.expire(now)) this.onExpired?.(error);
  }

  private start(chunk: Chunk): Partial {
    const context = { messageId: chunk.messageId };
    if (this.partials.size >= this.maxPartialMessages) {
      throw new ProtocolError('BUSY', `already reassembling ${this.partials.size} messages`, context);
    }
    if (chunk.totalBytes > this.maxMessageBytes) {
      throw new ProtocolError('TOO_LARGE', `${chunk.totalBytes} bytes, limit ${this.maxMessageBytes}`, context);
    }
    if (chunk.total > this.maxChunks) {
      throw new ProtocolError('TOO_LARGE', `${chunk.total} chunks, limit ${this.maxChunks}`, context);
    }
    const partial: Partial = {
      total: chunk.total,
      totalBytes: chunk.totalBytes,
      digest: Uint8Array.from(chunk.digest),
      chunks: new Map(),
      receivedBytes: 0,
      lastActivity: 0,
    };
    this.partials.set(chunk.messageId, partial);
    return partial;
  }

  private checkAgainst(partial: Partial, chunk: Chunk): void {
    const context = { messageId: chunk.messageId };
    if (chunk.total !== partial.total || chunk.totalBytes !== partial.totalBytes || !digestsEqual(chunk.digest, partial.digest)) {
      throw new ProtocolError('CHUNK_MISMATCH', `chunk ${chunk.index} disagrees with earlier chunks on total, size or digest`, context);
    }
    if (!Number.isInteger(chunk.index) || chunk.index < 0 || chunk.index >= partial.total) {
      throw new ProtocolError('CHUNK_MISMATCH', `index ${chunk.index} of ${partial.total} chunks`, context);
    }
    if (partial.chunks.has(chunk.index)) {
      throw new ProtocolError('CHUNK_DUPLICATE', `chunk ${chunk.index} received twice`, context);
    }
    if (chunk.data.length === 0 || partial.receivedBytes + chunk.data.length > partial.totalBytes) {
      throw new ProtocolError('CHUNK_MISMATCH', `chunks add up to more than the announced ${partial.totalBytes} bytes`, context);
    }
  }

  private complete(messageId: string, partial: Partial): Uint8Array {
    this.drop(messageId);
    const context = { messageId };
    if (partial.receivedBytes !== partial.totalBytes) {
      throw new ProtocolError('CHUNK_MISMATCH', `chunks add up to ${partial.receivedBytes} bytes, announced ${partial.totalBytes}`, context);
    }
    const whole = new Uint8Array(partial.totalBytes);
    let offset = 0;
    for (let i = 0; i < partial.total; i++) {
      const data = partial.chunks.get(i)!;
      whole.set(data, offset);
      offset += data.length;
    }
    if (!digestsEqual(sha256(whole), partial.digest)) {
      throw new ProtocolError('DIGEST_MISMATCH', 'reassembled message does not match its sha256', context);
    }
    this.remember(messageId);
    return whole;
  }

  private drop(messageId: string): void {
    const partial = this.partials.get(messageId);
    if (!partial) return;
    this.buffered -= partial.receivedBytes;
    this.partials.delete(messageId);
  }

  private remember(messageId: string): void {
    this.completed.add(messageId);
    // A Set iterates in insertion order: the first entry is the oldest.
    while (this.completed.size > this.rememberCompleted) {
      this.completed.delete(this.completed.values().next().value as string);
    }
  }
}
