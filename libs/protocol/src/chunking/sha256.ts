import { createHash } from 'node:crypto';

/** sha256 of bytes, as 32 bytes. */
export function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}
