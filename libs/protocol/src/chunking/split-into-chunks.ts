import { ProtocolError } from '../errors/protocol-error';
import type { Chunk } from '../messages/types';
import { sha256 } from './sha256';

/**
 * Cuts an encoded envelope into chunks of at most `maxChunkBytes` data bytes each, all
 * carrying the whole message's id, size and sha256 so the receiver can detect loss,
 * reordering, duplication and corruption. Chunk data are views over `bytes` (no copy).
 */
export function splitIntoChunks(bytes: Uint8Array, maxChunkBytes: number, messageId: string): Chunk[] {
  if (!Number.isInteger(maxChunkBytes) || maxChunkBytes < 1) {
    throw new ProtocolError('INVALID_VALUE', `chunk size must be a positive integer, got ${maxChunkBytes}`);
  }
  if (bytes.length === 0) throw new ProtocolError('MISSING_FIELD', 'nothing to split');
  const total = Math.ceil(bytes.length / maxChunkBytes);
  const digest = sha256(bytes);
  const chunks: Chunk[] = [];
  for (let index = 0; index < total; index++) {
    const start = index * maxChunkBytes;
    chunks.push({
      messageId,
      index,
      total,
      totalBytes: bytes.length,
      digest,
      data: bytes.subarray(start, Math.min(start + maxChunkBytes, bytes.length)),
    });
  }
  return chunks;
}
