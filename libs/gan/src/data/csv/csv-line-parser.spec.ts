import { DataError } from '../../errors/fedsynth-error';
import { CsvLineParser } from './csv-line-parser';

function parseAll(chunks: string[]): Array<[string[], number]> {
  const out: Array<[string[], number]> = [];
  const parser = new CsvLineParser('t.csv', (fields, line) => out.push([fields, line]));
  for (const c of chunks) parser.push(c);
  parser.end();
  return out;
}

describe('CsvLineParser', () => {
  it('splits plain rows and numbers lines from 1', () => {
    expect(parseAll(['a,b\n1,2\n3,4\n'])).toEqual([
      [['a', 'b'], 1],
      [['1', '2'], 2],
      [['3', '4'], 3],
    ]);
  });

  it('strips a BOM and CRLF line ends, and reads a last line without newline', () => {
    expect(parseAll(['\uFEFFa,b\r\n1,2\r\n3,4'])).toEqual([
      [['a', 'b'], 1],
      [['1', '2'], 2],
      [['3', '4'], 3],
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks, keeping line numbers right', () => {
    const rows = parseAll(['code,title\n401,"Hypertension, ""essential"""\n402,"two\nlines"\n403,x\n']);
    expect(rows).toEqual([
      [['code', 'title'], 1],
      [['401', 'Hypertension, "essential"'], 2],
      [['402', 'two\nlines'], 3],
      [['403', 'x'], 5],
    ]);
  });

  it('gives the same rows whatever the chunk boundaries', () => {
    const text = 'a,b\r\n"x,1","y""z"\r\n2,"multi\r\nline"\r\nlast,"q"';
    const whole = parseAll([text]);
    for (let size = 1; size <= 7; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      expect(parseAll(chunks)).toEqual(whole);
    }
    expect(whole.map((r) => r[0])).toEqual([
      ['a', 'b'],
      ['x,1', 'y"z'],
      ['2', 'multi\r\nline'],
      ['last', 'q'],
    ]);
  });

  it('skips blank lines', () => {
    expect(parseAll(['a\n\n1\n\r\n2\n']).map((r) => r[0])).toEqual([['a'], ['1'], ['2']]);
  });

  it('refuses an unterminated quote, naming file and line', () => {
    expect(() => parseAll(['a,b\n1,"open\n2,3\n'])).toThrow(DataError);
    expect(() => parseAll(['a,b\n1,"open\n2,3\n'])).toThrow('t.csv:2: unterminated quoted field');
  });

  it('refuses a stray quote inside an unquoted field and garbage after a closing quote', () => {
    expect(() => parseAll(['a,b\n1,ab"c\n'])).toThrow('t.csv:2: a quote (") inside an unquoted field');
    expect(() => parseAll(['a,b\n1,"ab"c\n'])).toThrow("t.csv:2: unexpected character 'c' after a closing quote");
  });
});
