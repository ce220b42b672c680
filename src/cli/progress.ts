/**
 * Progress for long commands: a bar on a terminal, nothing on a pipe (the summary line says it all).
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, total: number, note?: string): void;
  stop(): void;
}

export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar({
    format: `${label} [{bar}] {percentage}% | {note}`,
    stream,
    hideCursor: true,
    clearOnComplete: false,
  }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    update(done, total, note = '') {
      if (!started) { bar.start(total, 0, { note }); started = true; }
      bar.setTotal(total);
      bar.update(done, { note });
    },
    stop() { if (started) bar.stop(); },
  };
}
