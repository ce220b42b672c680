/**
 * Asks for a secret on a terminal without showing it: the terminal is put in raw mode (so it echoes
 * nothing) and nothing typed is written back; backspace and Ctrl-U edit, Enter ends the line,
 * Ctrl-C or Ctrl-D on an empty line cancels. Works on any input stream, so tests can feed it.
 */

interface Input extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}
interface Out { write(s: string): unknown }

export interface HiddenPrompt {
  /** Writes `prompt` to the output and resolves with the line typed, which is never written anywhere. */
  ask(prompt: string): Promise<string>;
  /** Gives the terminal back as it was. */
  close(): void;
}

export class PromptCancelled extends Error {}

export function createHiddenPrompt(input: Input, output: Out): HiddenPrompt {
  const raw = input.isTTY === true && typeof input.setRawMode === 'function';
  const lines: string[] = [];
  let current: string[] = [];
  let lastWasCr = false;
  let escape: 0 | 1 | 2 = 0; // inside an escape sequence (arrow keys and the like): 1 after ESC, 2 after ESC [
  let ended = false;
  let waiting: { resolve: (line: string) => void; reject: (err: Error) => void } | null = null;
  let started = false;

  const settle = () => {
    if (!waiting) return;
    const w = waiting;
    if (lines.length > 0) { waiting = null; output.write('\n'); w.resolve(lines.shift()!); return; }
    if (ended) { waiting = null; output.write('\n'); w.reject(new PromptCancelled('cancelled: no password given')); }
  };
  const onData = (chunk: Buffer | string) => {
    for (const ch of Array.from(chunk.toString())) {
      if (escape === 1) { escape = ch === '[' || ch === 'O' ? 2 : 0; continue; }
      if (escape === 2) { if (ch >= '@' && ch <= '~') escape = 0; continue; }
      if (ch === '\x1b') { escape = 1; continue; }
      const wasCr = lastWasCr;
      lastWasCr = ch === '\r';
      if (ch === '\n' && wasCr) continue; // CR LF is one Enter
      if (ch === '\r' || ch === '\n') { lines.push(current.join('')); current = []; continue; }
      if (ch === '\x03') { ended = true; break; } // Ctrl-C
      if (ch === '\x04') { if (current.length === 0) { ended = true; break; } continue; } // Ctrl-D
      if (ch === '\x7f' || ch === '\b') { current.pop(); continue; }
      if (ch === '\x15') { current = []; continue; } // Ctrl-U
      if (ch < ' ') continue; // other control characters
      current.push(ch);
    }
    settle();
  };
  const onEnd = () => {
    if (current.length > 0) { lines.push(current.join('')); current = []; }
    ended = true;
    settle();
  };

  return {
    ask(prompt) {
      if (!started) {
        started = true;
        if (raw) input.setRawMode!(true);
        input.on('data', onData);
        input.on('end', onEnd);
        input.resume();
      }
      output.write(prompt);
      return new Promise((resolve, reject) => { waiting = { resolve, reject }; settle(); });
    },
    close() {
      if (!started) return;
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      if (raw) input.setRawMode!(false);
      input.pause();
    },
  };
}

/** Asks for a new password twice; throws when the two differ. */
export async function askNewPassword(prompt: HiddenPrompt, question: string): Promise<string> {
  const first = await prompt.ask(question);
  const second = await prompt.ask('The same password again: ');
  if (first !== second) throw new PromptCancelled('the two passwords differ; nothing was created');
  return first;
}
