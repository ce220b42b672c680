/**
 * A cap on the bytes read from a stream: a small gzip can unpack to tens of GB of short lines, each
 * within the per-line cap (lines.ts), so a whole file needs a cap of its own.
 */

/** Thrown by {@link capBytes} once the input has more than its cap; the input is left unread from there. */
export class ByteCapError extends Error {
  constructor(readonly maxBytes: number) {
    super(`more than ${maxBytes} bytes`);
    this.name = 'ByteCapError';
  }
}

/**
 * The chunks of `input` up to `maxBytes` bytes in all (the last one cut at the cap); when the input
 * holds more, a {@link ByteCapError} after them, and the input's iterator is returned (which destroys
 * a stream). Thrown rather than ended quietly, so that a line splitter reading this stops at the
 * last complete line instead of taking the cut one for a last line without a line break.
 *
 * @example
 * try {
 *   for await (const line of splitLines(capBytes(gunzipped, 10_000_000_000), 1_000_000)) handle(line);
 * } catch (err) {
 *   if (err instanceof ByteCapError) console.error(`stopped at ${err.maxBytes} bytes`); else throw err;
 * }
 */
export async function* capBytes(input: AsyncIterable<Buffer | string>, maxBytes: number): AsyncGenerator<Buffer> {
  let allowed = maxBytes;
  for await (const chunk of input) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (buf.length <= allowed) {
      allowed -= buf.length;
      yield buf;
      continue;
    }
    if (allowed > 0) yield buf.subarray(0, allowed);
    throw new ByteCapError(maxBytes);
  }
}
