/**
 * Test support for the arXiv tests: fixture loading, the shared data folder, a fake clock.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock } from '../../src/arxiv/client.ts';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/arxiv');

/** A recorded response from test/fixtures/arxiv, e.g. `fixture('oai/error-badVerb.xml')`. */
export function fixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

/** The shared data folder: `PAPERBOY_SHARED_DATA`, else `../shared/data` from the project root. */
export function sharedDataDir(): string {
  return process.env.PAPERBOY_SHARED_DATA ?? path.resolve(process.cwd(), '../shared/data');
}

/**
 * Why a test needing `relative` (a file or folder of the shared data) cannot run, for
 * `test(..., { skip })`; false when it can. With CI=true or PAPERBOY_REQUIRE_ALL=1 a missing
 * folder is a failure, not a skip.
 */
export function sharedSkip(relative: string): string | false {
  const target = path.join(sharedDataDir(), relative);
  if (fs.existsSync(target)) return false;
  const why = `shared data not found: ${target} (set PAPERBOY_SHARED_DATA to the data folder)`;
  if (process.env.PAPERBOY_REQUIRE_ALL === '1' || process.env.CI === 'true') throw new Error(why);
  return why;
}

/** A file from the shared data folder (null when absent) and the skip reason from {@link sharedSkip}. */
export function sharedFile(relative: string): { text: string | null; skip: string | false } {
  const skip = sharedSkip(relative);
  return { text: skip ? null : fs.readFileSync(path.join(sharedDataDir(), relative), 'utf8'), skip };
}

/** A clock whose `sleep` returns at once and moves time forward; records every sleep. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(private t = Date.parse('2026-01-05T12:00:00Z')) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
  }
}

/** Replaces the first match of `find` in `xml`, failing loudly when it is absent (so a mutation test cannot silently test nothing). */
export function mutate(xml: string, find: string | RegExp, replace: string): string {
  const found = typeof find === 'string' ? xml.includes(find) : find.test(xml);
  if (!found) throw new Error(`mutate: ${String(find)} not found in fixture`);
  return xml.replace(find, replace);
}
