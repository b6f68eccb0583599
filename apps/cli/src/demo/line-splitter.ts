/**
 * Cuts a byte stream into lines for the demo's prefixed output. A child's output arrives in
 * arbitrary chunks (half a line, or many), so the unfinished tail is kept until its newline or
 * the end of the stream. Carriage returns (progress redrawn in place) end a line too, so a
 * redrawn progress bar becomes one line per update instead of garbled text.
 */
export class LineSplitter {
  private tail = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    const parts = (this.tail + chunk).split(/\r\n|\r|\n/);
    this.tail = parts.pop() ?? '';
    for (const line of parts) this.emit(line);
  }

  /** The last line when the stream ended without a newline. */
  end(): void {
    if (this.tail !== '') this.emit(this.tail);
    this.tail = '';
  }

  private emit(line: string): void {
    // A redraw sequence leaves "erase to end of line" codes behind; they mean nothing once split.
    const clean = line.replace(/\x1b\[K/g, '');
    if (clean.trim() !== '') this.onLine(clean);
  }
}
