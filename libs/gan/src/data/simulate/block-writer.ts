import { open, type FileHandle } from 'node:fs/promises';

/**
 * Writes text to a file in ~1 MiB blocks. Text is encoded straight into a block buffer as it
 * is appended (no growing strings to collect as garbage); a full block is set aside and
 * written when the caller awaits `flushIfFull()` between patients. At most one block per file
 * waits in memory and each write completes before more text piles up: backpressure without
 * per-line promises.
 */
export class BlockWriter {
  private block: Buffer;
  private used = 0;
  private readonly pending: Buffer[] = [];
  private bytes = 0;

  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
    private readonly blockSize: number,
  ) {
    this.block = Buffer.allocUnsafe(blockSize);
  }

  static async create(path: string, blockSize = 1 << 20): Promise<BlockWriter> {
    return new BlockWriter(await open(path, 'w'), path, blockSize);
  }

  /** Appends text; nothing reaches the file until a flush. */
  write(text: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 unit, so this bound guarantees the text fits.
    const worst = text.length * 3;
    if (worst > this.blockSize) {
      this.setAside();
      this.pending.push(Buffer.from(text, 'utf8'));
      return;
    }
    if (this.used + worst > this.blockSize) this.setAside();
    this.used += this.block.write(text, this.used, 'utf8');
  }

  /** True when a block is waiting to be written. */
  get full(): boolean {
    return this.pending.length > 0;
  }

  /** Bytes written to the file so far. */
  get written(): number {
    return this.bytes;
  }

  async flushIfFull(): Promise<void> {
    for (let b = this.pending.shift(); b !== undefined; b = this.pending.shift()) await this.writeAll(b);
  }

  async flush(): Promise<void> {
    this.setAside();
    await this.flushIfFull();
  }

  /** Writes what is left and closes the file; the handle is closed even if the write fails. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.handle.close();
    }
  }

  private setAside(): void {
    if (this.used === 0) return;
    this.pending.push(this.block.subarray(0, this.used));
    this.block = Buffer.allocUnsafe(this.blockSize);
    this.used = 0;
  }

  private async writeAll(bytes: Buffer): Promise<void> {
    // A write may be partial (the OS decides); loop until the whole block is on disk.
    for (let offset = 0; offset < bytes.length; ) {
      const { bytesWritten } = await this.handle.write(bytes, offset, bytes.length - offset, null);
      offset += bytesWritten;
    }
    this.bytes += bytes.length;
  }
}
