import { DataError } from '../../errors/fedsynth-error';

/**
 * Incremental RFC 4180 parser: feed it text chunks as they arrive and it calls `onRecord`
 * for each complete record with its 1-based starting line number. Unquoted lines (the
 * common case in clinical extracts) take a fast path of `split(',')`; quoted fields may
 * hold commas, doubled quotes and line breaks. CRLF and a leading BOM are accepted.
 */
export class CsvLineParser {
  private carry = '';
  private line = 0;
  private first = true;

  constructor(
    private readonly file: string,
    private readonly onRecord: (fields: string[], line: number) => void,
  ) {}

  push(chunk: string): void {
    let text = this.carry.length > 0 ? this.carry + chunk : chunk;
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const consumed = this.consume(text, false);
    this.carry = text.slice(consumed);
  }

  /** Flushes the last record (a file need not end with a newline). */
  end(): void {
    if (this.carry.length > 0) this.consume(this.carry, true);
    this.carry = '';
  }

  /** Parses complete records from `text`; returns how many characters were used. */
  private consume(text: string, final: boolean): number {
    let pos = 0;
    const n = text.length;
    // Position of the next quote at or after pos (n if none): searched once, not per line,
    // so a quote-free chunk is scanned in linear time.
    let quote = -1;
    while (pos < n) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0) {
        if (!final) return pos;
        nl = n;
      }
      if (quote < pos) {
        quote = text.indexOf('"', pos);
        if (quote < 0) quote = n;
      }
      if (quote > nl) {
        this.line++;
        let end = nl;
        if (end > pos && text.charCodeAt(end - 1) === 13) end--;
        if (end > pos) this.onRecord(text.slice(pos, end).split(','), this.line);
        pos = nl + 1;
        continue;
      }
      const parsed = this.parseQuoted(text, pos, final);
      if (parsed < 0) return pos; // record continues in the next chunk
      pos = parsed;
    }
    return pos;
  }

  /** Slow path for a record containing quotes. Returns the index after it, or -1 if incomplete. */
  private parseQuoted(text: string, start: number, final: boolean): number {
    const fields: string[] = [];
    const startLine = this.line + 1;
    let linesSpanned = 1;
    let field = '';
    let i = start;
    const n = text.length;
    for (;;) {
      if (i < n && text.charCodeAt(i) === 34) {
        // quoted field
        i++;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) {
            if (!final) return -1;
            throw new DataError(this.file, startLine, 'unterminated quoted field (a " is never closed)', 'DATA_MALFORMED_ROW');
          }
          const piece = text.slice(i, q);
          for (let k = 0; k < piece.length; k++) if (piece.charCodeAt(k) === 10) linesSpanned++;
          field += piece;
          if (q + 1 < n && text.charCodeAt(q + 1) === 34) {
            field += '"';
            i = q + 2;
            continue;
          }
          if (q + 1 >= n && !final) return -1;
          i = q + 1;
          break;
        }
        if (i < n) {
          const c = text.charCodeAt(i);
          if (c !== 44 && c !== 10 && !(c === 13 && (i + 1 >= n || text.charCodeAt(i + 1) === 10))) {
            throw new DataError(this.file, startLine, `unexpected character '${text[i]}' after a closing quote`, 'DATA_MALFORMED_ROW');
          }
          if (c === 13 && i + 1 >= n && !final) return -1;
        }
      } else {
        // unquoted field up to the next comma or newline
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === 44 || c === 10) break;
          if (c === 34) {
            throw new DataError(this.file, startLine, 'a quote (") inside an unquoted field; quote the whole field and double inner quotes', 'DATA_MALFORMED_ROW');
          }
          j++;
        }
        if (j >= n && !final) return -1;
        field = text.slice(i, j);
        if (field.length > 0 && field.charCodeAt(field.length - 1) === 13 && (j >= n || text.charCodeAt(j) === 10)) {
          field = field.slice(0, -1);
        }
        i = j;
      }
      fields.push(field);
      field = '';
      if (i >= n) break;
      const c = text.charCodeAt(i);
      if (c === 44) {
        i++;
        continue;
      }
      if (c === 13) i++;
      if (i < n && text.charCodeAt(i) === 10) i++;
      break;
    }
    this.line = startLine + linesSpanned - 1;
    this.onRecord(fields, startLine);
    return i;
  }
}
