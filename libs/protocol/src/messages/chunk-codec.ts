import { fedsynth } from '../generated/fedsynth';
import { ProtocolError } from '../errors/protocol-error';
import type { ProtocolLimits } from '../limits';
import { CHUNK_DATA_KEY } from '../wire/field-keys';
import type { BodyCodec } from './body-codec';
import { checkDigest, checkId, checkUint32 } from './field-checks';
import type { Chunk } from './types';

const pb = fedsynth.v1;

/** Chunk metadata that is consistent on its own (the assembler checks it across chunks). */
function checkChunkHeader(v: fedsynth.v1.Chunk.$Properties | Chunk, field: string, limits: ProtocolLimits) {
  const total = checkUint32(v.total, `${field}.total`, { min: 1 });
  const index = checkUint32(v.index, `${field}.index`);
  if (index >= total) throw new ProtocolError('CHUNK_MISMATCH', `index ${index} of ${total} chunks`, { field: `${field}.index` });
  const totalBytes = checkUint32(v.totalBytes, `${field}.totalBytes`, { min: 1 });
  if (totalBytes > limits.maxMessageBytes) {
    throw new ProtocolError('TOO_LARGE', `${totalBytes} bytes, limit ${limits.maxMessageBytes}`, { field: `${field}.totalBytes` });
  }
  if (total > totalBytes) {
    throw new ProtocolError('CHUNK_MISMATCH', `${total} chunks cannot carry ${totalBytes} bytes`, { field: `${field}.total` });
  }
  return {
    messageId: checkId(v.messageId, `${field}.messageId`, limits),
    index,
    total,
    totalBytes,
    digest: checkDigest(v.digest, `${field}.digest`),
  };
}

function checkChunkData(data: Uint8Array | null | undefined, totalBytes: number, field: string): Uint8Array {
  if (!data || data.length === 0) throw new ProtocolError('MISSING_FIELD', 'a chunk carries at least one byte', { field });
  if (data.length > totalBytes) {
    throw new ProtocolError('CHUNK_MISMATCH', `${data.length} bytes in a message of ${totalBytes}`, { field });
  }
  return data;
}

export const chunkCodec: BodyCodec<'chunk'> = {
  encode(v, ctx, field) {
    const header = checkChunkHeader(v, field, ctx.limits);
    const data = checkChunkData(v.data, header.totalBytes, `${field}.data`);
    // Data is the last field: appended without a copy through the generated writer.
    return { head: pb.Chunk.encode(header).finish(), trailing: { kind: 'bytes', key: CHUNK_DATA_KEY, data } };
  },
  decode(w, ctx, field): Chunk {
    const header = checkChunkHeader(w, field, ctx.limits);
    return { ...header, data: checkChunkData(w.data, header.totalBytes, `${field}.data`) };
  },
};
