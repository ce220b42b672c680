/**
 * Splitting a byte stream into lines with a cap on each line's length. Bytes of a line past the cap
 * are dropped as they arrive, so a file with one enormous line (a gzip of a few MB can hold hundreds
 * of MB of one line) costs at most the cap plus one chunk of memory, not the whole line.
 */

export type Line =
  | { text: string; tooLong: false }
  /** The line had more than the cap; `bytes` is its full length, its content is gone. */
  | { text: null; tooLong: true; bytes: number };

const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * The lines of `input`, split at `\n` (a `\r` before it is dropped too), decoded as UTF-8. A last line
 * without a newline is a line. Lines of more than `maxBytes` bytes (not counting the line break)
 * come out as `tooLong`.
 *
 * @example
 * for await (const line of splitLines(fs.createReadStream(file), 1_000_000)) {
 *   if (line.tooLong) console.error(`line of ${line.bytes} bytes skipped`); else handle(line.text);
 * }
 */
export async function* splitLines(input: AsyncIterable<Buffer | string>, maxBytes: number): AsyncGenerator<Line> {
  let parts: Buffer[] = []; // the current line's bytes so far, while it is within the cap
  let kept = 0;             // bytes in parts
  let length = 0;           // the current line's length in bytes, counting dropped ones
  const add = (piece: Buffer) => {
    length += piece.length;
    if (length > maxBytes + 1) { parts = []; kept = 0; return; } // +1: room for a '\r' before the '\n'
    parts.push(piece);
    kept += piece.length;
  };
  const end = (): Line => {
    let bytes = length;
    let buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts, kept);
    if (bytes > 0 && bytes <= maxBytes + 1 && buf[buf.length - 1] === CR) { buf = buf.subarray(0, buf.length - 1); bytes--; }
    parts = []; kept = 0; length = 0;
    if (bytes > maxBytes) return { text: null, tooLong: true, bytes };
    return { text: buf.toString('utf8'), tooLong: false };
  };
  for await (const chunk of input) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    for (let nl = buf.indexOf(NEWLINE, start); nl !== -1; nl = buf.indexOf(NEWLINE, start)) {
      add(buf.subarray(start, nl));
      yield end();
      start = nl + 1;
    }
    if (start < buf.length) add(buf.subarray(start));
  }
  if (length > 0) yield end();
}
