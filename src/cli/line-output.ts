/**
 * Line output in batches. A whole library's report is tens of MB (x86-64 libLLVM's verify: 12 MB of JSON
 * Lines, AArch64's text report 28 MB): one string of it, its UTF-8 check and its bytes would be that much
 * memory first touched three times over. Batches end at a newline, which no UTF-8 sequence spans, so the
 * bytes are those of one string. JSON must be UTF-8 (`utf8`, the default); text keeps the raw bytes.
 */
import { utf8Only } from '../byte-strings.js';

/** Characters held before a batch is written. */
const BATCH_CHARS = 1 << 20;

export class LineOutput {
  private lines: string[] = [];
  private chars = 0;

  constructor(private readonly out: (s: string) => void, private readonly utf8 = true) {}

  line(s: string): void {
    this.lines.push(s);
    this.chars += s.length + 1;
    if (this.chars >= BATCH_CHARS) this.flush();
  }

  flush(): void {
    if (this.lines.length === 0) return;
    const batch = `${this.lines.join('\n')}\n`;
    this.out(this.utf8 ? utf8Only(batch) : batch);
    this.lines = [];
    this.chars = 0;
  }
}
