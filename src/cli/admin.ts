/**
 * `paperboy admin create-user --username NAME --email ADDRESS --role admin|curator|member`
 * The password comes from PAPERBOY_NEW_PASSWORD, a file (--password-file), or is asked for on a terminal.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { createAccount } from '../services/accounts.ts';
import { UserError } from '../services/errors.ts';
import type { Store } from '../store/index.ts';

export const ADMIN_USAGE = `usage: paperboy admin create-user --username NAME --email ADDRESS [--role admin|curator|member] [--password-file FILE]
  The password is read from --password-file, else PAPERBOY_NEW_PASSWORD, else asked for on the terminal.
`;

async function ask(question: string): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    return await new Promise((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
  }
}

export async function runAdmin(store: Store, args: string[], out: NodeJS.WriteStream, env: Record<string, string | undefined>): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'create-user') { out.write(ADMIN_USAGE); return 2; }
  let values;
  try {
    values = parseArgs({ args: rest, options: { username: { type: 'string' }, email: { type: 'string' }, role: { type: 'string', default: 'admin' }, 'password-file': { type: 'string' } } }).values;
  } catch (err) {
    out.write(`${(err as Error).message}\n${ADMIN_USAGE}`);
    return 2;
  }
  const role = values.role;
  if (role !== 'admin' && role !== 'curator' && role !== 'member') { out.write(`--role: admin, curator or member\n${ADMIN_USAGE}`); return 2; }
  let password = values['password-file'] ? fs.readFileSync(values['password-file'], 'utf8').trim() : env.PAPERBOY_NEW_PASSWORD;
  if (!password && process.stdin.isTTY) password = await ask('Password (at least 10 characters): ');
  if (!password) { out.write(`no password given\n${ADMIN_USAGE}`); return 2; }
  try {
    const user = await createAccount({ store, now: () => Date.now() }, { username: values.username, email: values.email, password, role });
    out.write(`admin done created=${user.username} role=${user.role}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UserError) { out.write(`${err.message}\n`); return 1; }
    throw err;
  }
}
