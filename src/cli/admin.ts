/**
 * `paperboy admin create-user --username NAME --email ADDRESS --role admin|curator|member`
 * The password comes from a file (--password-file), PAPERBOY_NEW_PASSWORD, or is asked for twice on
 * a terminal without being shown.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { createAccount, newAccountProblems } from '../services/accounts.ts';
import { UserError } from '../services/errors.ts';
import type { Store } from '../store/index.ts';
import { askNewPassword, createHiddenPrompt, PromptCancelled } from './hidden-prompt.ts';

export const ADMIN_USAGE = `usage: paperboy admin create-user --username NAME --email ADDRESS --role admin|curator|member [--password-file FILE]
  The password is read from --password-file, else PAPERBOY_NEW_PASSWORD, else asked for (twice,
  not shown) on the terminal.
`;

interface Out { write(s: string): unknown }

/** Where an interactive password comes from: a terminal, and where its prompts go. */
export interface Terminal {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?(mode: boolean): unknown };
  prompts: Out;
}

/** `openStore` is called only once the arguments and the password are known to be usable. */
export async function runAdmin(
  openStore: () => Promise<Store>, args: string[], out: Out, err: Out, env: Record<string, string | undefined>,
  terminal: Terminal = { input: process.stdin, prompts: process.stderr },
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h') { out.write(ADMIN_USAGE); return 0; }
  if (sub !== 'create-user') { err.write(`admin: ${sub ? `unknown subcommand "${sub}"` : 'name a subcommand'}\n${ADMIN_USAGE}`); return 2; }
  let values;
  try {
    values = parseArgs({ args: rest, options: { username: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' }, 'password-file': { type: 'string' }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (e) {
    err.write(`admin: ${(e as Error).message}\n${ADMIN_USAGE}`);
    return 2;
  }
  if (values.help) { out.write(ADMIN_USAGE); return 0; }
  const missing = (['username', 'email', 'role'] as const).filter((k) => values[k] === undefined).map((k) => `--${k}`);
  if (missing.length > 0) { err.write(`admin: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} needed\n${ADMIN_USAGE}`); return 2; }
  const role = values.role;
  if (role !== 'admin' && role !== 'curator' && role !== 'member') { err.write(`admin: --role is admin, curator or member (got "${role}")\n${ADMIN_USAGE}`); return 2; }
  let password: string | undefined;
  if (values['password-file']) {
    try {
      password = fs.readFileSync(values['password-file'], 'utf8').trim();
    } catch (e) {
      err.write(`admin: --password-file: cannot read ${values['password-file']}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      return 2;
    }
  } else {
    password = env.PAPERBOY_NEW_PASSWORD;
  }
  if (!password && terminal.input.isTTY) {
    const prompt = createHiddenPrompt(terminal.input, terminal.prompts);
    try {
      password = await askNewPassword(prompt, 'Password (at least 10 characters, not shown): ');
    } catch (e) {
      if (e instanceof PromptCancelled) { err.write(`admin: ${e.message}\n`); return 2; }
      throw e;
    } finally {
      prompt.close();
    }
  }
  if (!password) { err.write(`admin: no password given\n${ADMIN_USAGE}`); return 2; }
  const account = { username: values.username, email: values.email, password };
  // Checked before the store is opened: a refused account creates no database.
  const problems = newAccountProblems(account);
  if (problems.length > 0) { err.write(`admin: ${problems.join('; ')}; no account was created\n`); return 1; }
  try {
    const user = await createAccount({ store: await openStore(), now: () => Date.now() }, { ...account, role });
    out.write(`admin done created=${user.username} role=${user.role}\n`);
    return 0;
  } catch (e) {
    if (e instanceof UserError) { err.write(`admin: ${e.message}; no account was created\n`); return 1; }
    throw e;
  }
}
