import { createReadStream, promises as fs } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { StringDecoder } from 'node:string_decoder';
import { DataError } from '../../errors/fedsynth-error';
import { CsvLineParser } from './csv-line-parser';

export interface CsvRowHandler {
  /** Called once with the header fields (trimmed). */
  header(fields: string[]): void;
  /** Called for every data row; `line` is 1-based in the file. */
  row(fields: string[], line: number): void;
}

const GZIP_MAGIC = [0x1f, 0x8b];

async function isGzip(file: string): Promise<boolean> {
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await handle.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === GZIP_MAGIC[0] && buf[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

/**
 * Streams a CSV file (plain or gzip, detected by its magic bytes) through `handler` without
 * ever holding the whole file in memory. Errors name the file and line; an empty file or a
 * file with only a header is an error, because a data set with no rows is never intended.
 */
export async function readCsvFile(file: string, handler: CsvRowHandler): Promise<{ rows: number }> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch {
    throw new DataError(file, undefined, 'file not found', 'DATA_MISSING_FILE');
  }
  if (!stat.isFile()) throw new DataError(file, undefined, 'not a regular file', 'DATA_MISSING_FILE');
  if (stat.size === 0) throw new DataError(file, undefined, 'file is empty', 'DATA_EMPTY');

  const gz = await isGzip(file);
  let rows = 0;
  let sawHeader = false;
  const parser = new CsvLineParser(file, (fields, line) => {
    if (!sawHeader) {
      sawHeader = true;
      handler.header(fields.map((f) => f.trim()));
      return;
    }
    rows++;
    handler.row(fields, line);
  });
  const decoder = new StringDecoder('utf8');
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  const stream = gz ? raw.pipe(createGunzip()) : raw;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) parser.push(decoder.write(chunk));
    parser.push(decoder.end());
    parser.end();
  } catch (error) {
    raw.destroy();
    if (error instanceof DataError) throw error;
    const message = (error as Error).message;
    throw new DataError(file, undefined, gz ? `cannot decompress gzip data (${message})` : `cannot read (${message})`, 'DATA_UNREADABLE');
  }
  if (!sawHeader) throw new DataError(file, undefined, 'file is empty', 'DATA_EMPTY');
  if (rows === 0) throw new DataError(file, undefined, 'has a header but no data rows', 'DATA_EMPTY');
  return { rows };
}

/** Finds a header column case-insensitively; throws a DataError naming the file, the column and what is there. */
export function requireColumn(file: string, header: string[], name: string, hint?: string): number {
  const wanted = name.toLowerCase();
  const index = header.findIndex((h) => h.toLowerCase() === wanted);
  if (index < 0) {
    throw new DataError(
      file,
      1,
      `missing column '${name}' (columns are: ${header.join(', ')})${hint ? `; ${hint}` : ''}`,
      'DATA_MISSING_COLUMN',
    );
  }
  return index;
}

/** Like requireColumn, but returns -1 when absent. */
export function findColumn(header: string[], name: string): number {
  const wanted = name.toLowerCase();
  return header.findIndex((h) => h.toLowerCase() === wanted);
}

/** Throws unless a row has as many fields as the header. */
export function checkFieldCount(file: string, line: number, fields: string[], expected: number): void {
  if (fields.length !== expected) {
    throw new DataError(file, line, `expected ${expected} fields as in the header, found ${fields.length}`, 'DATA_MALFORMED_ROW');
  }
}
