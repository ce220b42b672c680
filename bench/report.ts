/**
 * What every benchmark script shares: the machine line and writing its own section of BENCHMARKS.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BENCHMARKS_DOC = path.join(ROOT, 'BENCHMARKS.md');

/** The nearest-rank `p`th percentile (0-100) of `values`, which need not be sorted. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** CPU model, cores, memory, Node: the machine a figure was measured on (no host names). */
export function machine(): string {
  let cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1]!.trim();
  } catch { /* not Linux */ }
  const gib = (os.totalmem() / 2 ** 30).toFixed(1);
  return `${cpu}, ${os.cpus().length} logical CPUs, ${gib} GiB memory, Node ${process.version}, ${os.type()} ${os.arch()}`;
}

/** Replaces the text between `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->` (appending it when absent). */
export function writeSection(section: string, body: string, doc = BENCHMARKS_DOC): void {
  const start = `<!-- bench:${section}:start -->`;
  const end = `<!-- bench:${section}:end -->`;
  const block = `${start}\n${body}\n${end}`;
  let text = fs.existsSync(doc) ? fs.readFileSync(doc, 'utf8') : '# Benchmarks\n';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a >= 0 && b > a) text = text.slice(0, a) + block + text.slice(b + end.length);
  else text = `${text.replace(/\s*$/, '')}\n\n${block}\n`;
  fs.writeFileSync(doc, text);
}

/** The text between a section's markers as BENCHMARKS.md holds it now, or null when it has none. */
export function readSection(section: string, doc = BENCHMARKS_DOC): string | null {
  if (!fs.existsSync(doc)) return null;
  const text = fs.readFileSync(doc, 'utf8');
  const start = `<!-- bench:${section}:start -->`;
  const a = text.indexOf(start);
  const b = text.indexOf(`<!-- bench:${section}:end -->`);
  return a >= 0 && b > a ? text.slice(a + start.length, b).trim() : null;
}
