/**
 * A real `paperboy serve` in its own process (what an operator runs), for load, crash and fault
 * runs: start it on a data directory, wait until it answers, read its memory, kill -9 it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { nodeArgs, PROJECT_ROOT } from './paperboy.ts';
const HOST = '127.0.0.1';
/** Linux's USER_HZ: /proc reports CPU times in these ticks (100 on every common build). */
const CLOCK_TICKS_PER_S = 100;

export interface ServeProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  running(): boolean;
  /** The last few KB the server wrote. */
  output(): string;
  /** Resident memory of the server process, in bytes (Linux /proc). */
  rss(): number;
  /** CPU time the server process has used so far (user + system, all threads), in ms (Linux /proc). */
  cpuMs(): number;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The caller's environment without Paperboy settings that must not leak in. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('PAPERBOY_') && k !== 'DATABASE_URL' && k !== 'NODE_ENV' && k !== 'NODE_TEST_CONTEXT'),
  );
  return Object.assign(env, extra);
}

/** Starts `paperboy serve` on `dataDir` and waits until `/healthz` answers (and `/readyz` says ready); `nodeOptions` go to Node (e.g. --cpu-prof). */
export async function startServe(dataDir: string, env: Record<string, string> = {}, timeoutMs = 180_000, nodeOptions: string[] = []): Promise<ServeProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeOptions, ...nodeArgs('src/main.ts'), 'serve'], {
    cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    env: cleanEnv({ HOST, PORT: String(port), PAPERBOY_DATA_DIR: dataDir, LOG_LEVEL: 'warn', PAPERBOY_INGEST_SCHEDULE: 'off', ...env }),
  });
  let tail = '';
  const keep = (chunk: Buffer) => { tail = (tail + chunk.toString('utf8')).slice(-8000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const running = () => child.exitCode === null && child.signalCode === null;
  const proc: ServeProcess = {
    child, pid: child.pid!, url: `http://${HOST}:${port}`, exited, running,
    output: () => tail.trim(),
    rss: () => {
      const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : NaN;
    },
    cpuMs: () => {
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in clock ticks.
      const stat = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS_PER_S;
    },
    kill9: async () => { if (running()) { child.kill('SIGKILL'); await exited; } },
    stop: async () => {
      if (!running()) return;
      child.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
      if (!done) { child.kill('SIGKILL'); await exited; }
    },
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!running()) throw new Error(`serve exited before answering:\n${tail}`);
    try {
      const res = await fetch(`${proc.url}/readyz`, { signal: AbortSignal.timeout(2_000) });
      const text = await res.text();
      if (res.status === 200 && text === 'ready') return proc;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await proc.kill9();
      throw new Error(`serve did not become ready within ${timeoutMs} ms:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
