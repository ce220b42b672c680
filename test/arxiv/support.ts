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
 * A file from the shared data folder, or a skip message for `test(..., { skip })` when the
 * folder is absent.
 */
export function sharedFile(relative: string): { text: string | null; skip: string | false } {
  const file = path.join(sharedDataDir(), relative);
  if (!fs.existsSync(file)) {
    return { text: null, skip: `shared data not found: ${file} (set PAPERBOY_SHARED_DATA to the data folder)` };
  }
  return { text: fs.readFileSync(file, 'utf8'), skip: false };
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
