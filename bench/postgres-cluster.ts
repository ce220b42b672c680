/**
 * A throwaway PostgreSQL cluster for the benchmarks: initdb in a temporary folder, started on a
 * free port, stopped and removed by `stop()`, which is synchronous so that it also runs from an
 * `exit` handler. As root, the server runs as the `postgres` account (PostgreSQL refuses root).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../test/helpers/server-process.ts';


export interface Cluster {
  /** The superuser's URL to the `postgres` database. */
  url: string;
  /** PostgreSQL's major version, e.g. "15". */
  version: string;
  /** The settings passed to the server, as written in the report. */
  settings: string[];
  /** The URL of another database on the same server. */
  urlFor(database: string): string;
  /** The server's main process id (its backends are its children), or null when it is not running. */
  postmaster(): number | null;
  stop(): void;
}


/**
 * Starts a cluster. `settings` are `name=value` server settings (`-c`), on top of the defaults;
 * the benchmark's data is throwaway, so it may turn off durability to load faster.
 */
export async function startCluster(bin: string, settings: string[]): Promise<Cluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-bench-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const osUser = asRoot ? (spawnSync('id', ['-u', 'postgres']).status === 0 ? 'postgres' : 'nobody') : null;
  if (osUser) spawnSync('chown', ['-R', osUser, dir]);
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = osUser ? ['runuser', ['-u', osUser, '--', path.join(bin, cmd), ...args]] : [path.join(bin, cmd), args];
    const r = spawnSync(file, argv, { encoding: 'utf8', cwd: dir });
    if (r.status !== 0) throw new Error(`bench/postgres: ${cmd} failed (${r.status}): ${r.stderr || r.stdout}`);
    return r.stdout;
  };
  let started = false;
  const stop = () => {
    if (started) {
      try { run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']); } catch (err) { process.stderr.write(`${(err as Error).message}\n`); }
      started = false;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = await freePort();
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
    const opts = [`-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1', ...settings.map((s) => `-c ${s}`)].join(' ');
    run('pg_ctl', ['-D', data, '-o', opts, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start']);
    started = true;
    const version = /(\d+)/.exec(run('pg_ctl', ['--version']))?.[1] ?? '?';
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    return {
      url, version, settings,
      urlFor: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
      postmaster: () => {
        try {
          return Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]) || null;
        } catch {
          return null;
        }
      },
      stop,
    };
  } catch (err) {
    stop();
    throw err;
  }
}
