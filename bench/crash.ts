/**
 * `npm run bench:crash`: kill -9 a real `paperboy serve` (and the ingest and digest runs beside it)
 * under write load, 20 times at random moments, and check the store after each restart (see
 * test/hardening/crash-harness.ts). Writes the figures into the Reliability part of BENCHMARKS.md.
 *
 *   npm run bench:crash                  20 kills
 *   npm run bench:crash -- --kills 5     fewer (prints; writes with --write)
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { crashRun } from '../test/hardening/crash-harness.ts';
import { machine, writeSection } from './report.ts';

const { values: flags } = parseArgs({ args: process.argv.slice(2), options: { kills: { type: 'string', default: '20' }, write: { type: 'boolean', default: false } } });
const kills = Number(flags.kills);
const t0 = performance.now();
const log = (msg: string) => process.stdout.write(`[crash ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${msg}\n`);

const load = os.loadavg().map((x) => x.toFixed(1)).join(' ');
log(`${kills} kills; ${machine()}; load average ${load}`);
const r = await crashRun({ kills, log });
const fmt = (xs: number[]) => (xs.length ? `${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))} ms (median ${Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!)} ms)` : 'n/a');
const body = [
  '### Crash safety: kill -9 under write load',
  '',
  `\`npm run bench:crash\` (the CI form, \`test/hardening/crash.test.ts\`, does 3 kills). Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}, load average ${load} at the start (shared machine). A real \`paperboy serve\` takes upvotes (toggled), comments and submissions (one fetched from a replayed arXiv) from 6 concurrent writers signed in as 60 members, while \`paperboy ingest --oai\` harvests from the replayed arXiv and \`paperboy digest send\` delivers to ${r.digest.subscribers} subscribers through a real SMTP server; all three processes get SIGKILL at a random moment (${fmt(r.killMs)} into the load), and the store is checked before the next start.`,
  '',
  '| figure | value |',
  '|---|---:|',
  `| kills (server, ingest and digest processes) | ${r.kills} |`,
  `| store checks (after each kill and at the end) | ${r.integrityChecks} |`,
  `| problems found (integrity_check, foreign_key_check, counts = rows, lost acknowledged writes, duplicates) | ${r.problems.length} |`,
  `| acknowledged writes checked: vote states / comments / submissions | ${r.acknowledged.votes} / ${r.acknowledged.comments} / ${r.acknowledged.submissions} |`,
  `| writes in flight at a kill (no answer; either outcome is allowed) | ${r.unanswered} |`,
  `| harvests killed mid-run, then completed | ${r.ingest.killed} |`,
  `| digests delivered / duplicates / subscribers missed / hand-overs of unknown outcome | ${r.digest.messages} / ${r.digest.duplicates} / ${r.digest.missing} / ${r.digest.unknownHandOvers} |`,
  `| restart to ready after a kill | ${fmt(r.restartMs)} |`,
  '',
  r.problems.length ? `Problems:\n\n${r.problems.map((p) => `- ${p}`).join('\n')}` : 'No acknowledged write was lost and nothing was stored twice.',
].join('\n');
process.stdout.write(`\n${body}\n`);
if (kills >= 20 || flags.write) writeSection('reliability-crash', body);
process.exit(r.problems.length ? 1 : 0);
