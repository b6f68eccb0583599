import { randomBytes } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { readStoredZip } from '../__fixtures__/read-stored-zip';
import { crc32 } from './crc32';
import { dosDateTime, storedZip } from './stored-zip';

describe('crc32', () => {
  it('gives the check value of the CRC-32 standard and matches zlib', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    const bytes = randomBytes(10_000);
    expect(crc32(bytes)).toBe(zlibCrc32(bytes) >>> 0);
  });
});

describe('dosDateTime', () => {
  it('packs a UTC date as MS-DOS date and time (2-second steps)', () => {
    // 2024-03-05 10:20:31 → time (10 << 11) | (20 << 5) | 15, date (44 << 9) | (3 << 5) | 5
    expect(dosDateTime(new Date(Date.UTC(2024, 2, 5, 10, 20, 31)))).toEqual({ time: 21_135, date: 22_629 });
  });
});

describe('storedZip', () => {
  const at = new Date(Date.UTC(2024, 2, 5, 10, 20, 31));

  it('writes entries that a reader finds by the central directory, byte for byte, with their CRCs', () => {
    const weights = randomBytes(5000);
    const zip = storedZip(
      [
        { name: 'gen/model.json', data: Buffer.from('{"format":"layers-model"}') },
        { name: 'gen/weights.bin', data: weights },
        { name: 'gen/empty', data: new Uint8Array(0) },
      ],
      at,
    );
    const files = readStoredZip(zip);
    expect([...files.keys()]).toEqual(['gen/model.json', 'gen/weights.bin', 'gen/empty']);
    expect(files.get('gen/model.json')!.toString()).toBe('{"format":"layers-model"}');
    expect(files.get('gen/weights.bin')!.equals(weights)).toBe(true);
    expect(files.get('gen/empty')!.length).toBe(0);
    // Layout: local header first, end record last with the entry count; stored means size = data size.
    expect(zip.readUInt32LE(0)).toBe(0x04034b50);
    expect(zip.readUInt16LE(8)).toBe(0);
    expect(zip.readUInt32LE(18)).toBe(25);
    expect(zip.readUInt32LE(zip.length - 22)).toBe(0x06054b50);
    expect(zip.readUInt16LE(zip.length - 12)).toBe(3);
    expect(zip.readUInt16LE(10)).toBe(21_135);
  });

  it('marks names as UTF-8', () => {
    const files = readStoredZip(storedZip([{ name: 'données/é.json', data: Buffer.from('1') }], at));
    expect([...files.keys()]).toEqual(['données/é.json']);
  });

  it('refuses unsafe and duplicate names', () => {
    expect(() => storedZip([{ name: '../etc/passwd', data: Buffer.alloc(1) }])).toThrow(/relative path without '\.\.'/);
    expect(() => storedZip([{ name: '/abs', data: Buffer.alloc(1) }])).toThrow(/relative path/);
    expect(() => storedZip([{ name: 'a\\b', data: Buffer.alloc(1) }])).toThrow(/relative path/);
    expect(() => storedZip([{ name: '', data: Buffer.alloc(1) }])).toThrow(/relative path/);
    expect(() => storedZip([{ name: 'x', data: Buffer.alloc(1) }, { name: 'x', data: Buffer.alloc(1) }])).toThrow(/"x" appears twice/);
  });
});
