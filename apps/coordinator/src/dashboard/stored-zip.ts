import { CoordinatorError } from '../errors/coordinator-error';
import { crc32 } from './crc32';

export interface ZipEntry {
  /** Path inside the archive, `/`-separated (e.g. `generator/model.json`). */
  name: string;
  data: Uint8Array;
}

const UTF8_NAMES = 0x0800;
const VERSION = 20; // 2.0: folders and the UTF-8 flag
const MADE_BY_UNIX = (3 << 8) | VERSION;
const REGULAR_FILE_644 = (0o100644 << 16) >>> 0;
const MAX_32 = 0xffffffff;

/** MS-DOS date and time, as zip headers hold them (2-second resolution, years from 1980). */
export function dosDateTime(date: Date): { time: number; date: number } {
  const year = Math.min(Math.max(date.getUTCFullYear(), 1980), 2107);
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

/**
 * A zip archive whose entries are stored uncompressed (method 0): what any unzip tool,
 * file manager or browser library opens, built without a dependency. Weights are float32
 * noise to a compressor, so storing costs little. Refuses what would need Zip64 (an entry
 * or archive over 4 GiB, more than 65,535 entries) and unsafe names.
 */
export function storedZip(entries: readonly ZipEntry[], modifiedAt: Date = new Date()): Buffer {
  if (entries.length > 0xffff) throw new CoordinatorError(`a zip without Zip64 holds at most 65535 entries, got ${entries.length}`, 'ZIP_TOO_LARGE');
  const { time, date } = dosDateTime(modifiedAt);
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const seen = new Set<string>();
  for (const entry of entries) {
    if (entry.name === '' || entry.name.startsWith('/') || entry.name.split('/').includes('..') || entry.name.includes('\\')) {
      throw new CoordinatorError(`zip entry name ${JSON.stringify(entry.name)} must be a relative path without '..' or '\\'`, 'ZIP_BAD_NAME');
    }
    if (seen.has(entry.name)) throw new CoordinatorError(`zip entry ${JSON.stringify(entry.name)} appears twice`, 'ZIP_BAD_NAME');
    seen.add(entry.name);
    if (entry.data.length > MAX_32) throw new CoordinatorError(`zip entry ${entry.name} is over 4 GiB`, 'ZIP_TOO_LARGE');
    const name = Buffer.from(entry.name, 'utf8');
    const crc = crc32(entry.data);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION, 4);
    local.writeUInt16LE(UTF8_NAMES, 6);
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(MADE_BY_UNIX, 4);
    central.writeUInt16LE(VERSION, 6);
    central.writeUInt16LE(UTF8_NAMES, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(date, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(entry.data.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    // extra length, comment length, disk number, internal attributes: 0
    central.writeUInt32LE(REGULAR_FILE_644, 38);
    central.writeUInt32LE(offset, 42);

    locals.push(local, name, Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength));
    centrals.push(central, name);
    offset += local.length + name.length + entry.data.length;
    if (offset > MAX_32) throw new CoordinatorError('the zip archive would be over 4 GiB', 'ZIP_TOO_LARGE');
  }
  const directorySize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directorySize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}
