/**
 * Progress for long commands: a bar on a terminal, nothing on a pipe (the summary line says it all).
 */
import cliProgress from 'cli-progress';
import type { BuildProgress } from '../search/search-index.ts';

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
  let stopped = false;
  return {
    update(done, total, note = '') {
      if (stopped) return;
      if (!started) { bar.start(total, 0, { note }); started = true; }
      bar.setTotal(total);
      bar.update(done, { note });
    },
    /** Ends the bar (once; later calls and updates do nothing). */
    stop() {
      if (started && !stopped) bar.stop();
      stopped = true;
    },
  };
}

/**
 * One bar per phase of a search-index build (indexing, training, embedding, saving), as
 * `paperboy reindex` and `paperboy search` (building a missing index) show it.
 */
export function buildProgressBars(stream: NodeJS.WriteStream = process.stderr): { onProgress(p: BuildProgress): void; stop(): void } {
  const bars = new Map<string, Progress>();
  let current: string | null = null;
  return {
    onProgress(p) {
      if (current !== p.phase) {
        if (current) bars.get(current)?.stop();
        current = p.phase;
        bars.set(p.phase, createProgress(p.phase.padEnd(9), stream));
      }
      bars.get(p.phase)!.update(p.done, p.total, `${p.done}/${p.total}`);
    },
    stop() {
      if (current) bars.get(current)?.stop();
      current = null;
    },
  };
}
