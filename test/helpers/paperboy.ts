/**
 * The project's own entry points (`paperboy` itself, helper scripts) in a child process, run the way
 * this test process runs: TypeScript sources through tsx, or, when `npm test` compiled the project
 * first (scripts/run-tests.ts --compiled), the compiled JavaScript in the build folder, which
 * starts in about a third of the CPU time. The working folder is the project's either way.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(import.meta.url);
/** True when this is compiled JavaScript in the build folder (a folder at the project's root). */
const COMPILED = HERE.endsWith('.js');
const TREE_ROOT = path.resolve(path.dirname(HERE), '../..');
/** The project's folder: where package.json, demo/ and the sources are. */
export const PROJECT_ROOT = COMPILED ? path.dirname(TREE_ROOT) : TREE_ROOT;

/**
 * Node's arguments that run the module at `file`, a TypeScript path from the project's root.
 *
 *   spawn(process.execPath, [...nodeArgs('src/main.ts'), 'stats'])
 */
export function nodeArgs(file: string): string[] {
  if (COMPILED) return [path.join(TREE_ROOT, file.replace(/\.tsx?$/, '.js'))];
  return ['--import', import.meta.resolve('tsx'), path.join(PROJECT_ROOT, file)];
}

export interface CommandResult { code: number | null; stdout: string; stderr: string }

/** Settings every command here runs with unless told otherwise: no log lines among the output. */
const QUIET = { LOG_LEVEL: 'silent' };

/** Runs `paperboy ARGS` to its end with this process's environment plus `env` (in the project's folder unless `cwd`). */
export function runPaperboy(args: string[], env: Record<string, string> = {}, opts: { timeoutMs?: number; nodeOptions?: string[]; cwd?: string } = {}): CommandResult {
  const res = spawnSync(process.execPath, [...(opts.nodeOptions ?? []), ...nodeArgs('src/main.ts'), ...args], {
    cwd: opts.cwd ?? PROJECT_ROOT, encoding: 'utf8', env: { ...process.env, ...QUIET, ...env }, timeout: opts.timeoutMs ?? 120_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** Starts `paperboy ARGS` without waiting for it (stdout and stderr piped unless `options` say otherwise). */
export function spawnPaperboy(args: string[], options: SpawnOptions & { nodeOptions?: string[] } = {}): ChildProcess {
  const { nodeOptions = [], ...rest } = options;
  return spawn(process.execPath, [...nodeOptions, ...nodeArgs('src/main.ts'), ...args], { cwd: PROJECT_ROOT, ...rest });
}

/** Like runPaperboy, without blocking this process (for commands that talk to a server running in it). */
export function runPaperboyAsync(args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  const child = spawnPaperboy(args, { env: { ...process.env, ...QUIET, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => { stderr += d; });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
