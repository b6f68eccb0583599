import { LineSplitter } from './line-splitter';

function split(chunks: string[], end = true): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  for (const chunk of chunks) splitter.push(chunk);
  if (end) splitter.end();
  return lines;
}

describe('LineSplitter', () => {
  it('joins lines split across chunks and keeps several lines of one chunk apart', () => {
    expect(split(['round 1', ' sent\nround 2 sent\nrou', 'nd 3 sent\n'])).toEqual(['round 1 sent', 'round 2 sent', 'round 3 sent']);
  });

  it('holds an unfinished line until the end of the stream', () => {
    expect(split(['no newline yet'], false)).toEqual([]);
    expect(split(['no newline yet'])).toEqual(['no newline yet']);
  });

  it('treats CRLF and a lone carriage return (progress redrawn in place) as line ends', () => {
    expect(split(['a\r\nb\r', '\x1b[Kc 50%\x1b[K\rc 100%\n'])).toEqual(['a', 'b', 'c 50%', 'c 100%']);
  });

  it('drops blank lines', () => {
    expect(split(['\n\n  \nx\n\n'])).toEqual(['x']);
  });
});
