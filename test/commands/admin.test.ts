import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { tempDir } from '../helpers/store.ts';
import { openStore } from '../../src/store/index.ts';
import { verifyPassword } from '../../src/services/passwords.ts';
import { askNewPassword, createHiddenPrompt } from '../../src/cli/hidden-prompt.ts';
import { nodeArgs, runPaperboy } from '../helpers/paperboy.ts';

const paperboy = runPaperboy;

/** A stand-in terminal: what is typed goes in; raw mode is recorded; everything written is kept. */
function fakeTerminal() {
  const input = Object.assign(new PassThrough(), { isTTY: true, rawModes: [] as boolean[], setRawMode(mode: boolean) { input.rawModes.push(mode); return input; } });
  let written = '';
  const output = { write(s: string) { written += s; return true; } };
  return { input, output, written: () => written };
}

test('the password prompt writes nothing typed, asks twice, and gives the terminal back', async () => {
  const t = fakeTerminal();
  const prompt = createHiddenPrompt(t.input, t.output);
  const answer = askNewPassword(prompt, 'Password: ');
  t.input.write('SuperSecretPw12');
  t.input.write('x\x7f3\r'); // a typo, backspace, Enter
  t.input.write('Super');
  t.input.write('SecretPw123\r\n');
  assert.equal(await answer, 'SuperSecretPw123');
  prompt.close();
  assert.equal(t.written(), 'Password: \nThe same password again: \n');
  assert.deepEqual(t.input.rawModes, [true, false]);
});

test('the password prompt: two different answers, Ctrl-C and an early end are refused', async () => {
  for (const [typed, message] of [
    ['SuperSecretPw123\rSuperSecretPw124\r', /the two passwords differ/],
    ['Super\x03', /cancelled/],
    ['', /cancelled/],
  ] as const) {
    const t = fakeTerminal();
    const prompt = createHiddenPrompt(t.input, t.output);
    const answer = askNewPassword(prompt, 'Password: ');
    if (typed) t.input.write(typed); else t.input.end();
    await assert.rejects(answer, message);
    prompt.close();
    assert.doesNotMatch(t.written(), /Super/);
    assert.deepEqual(t.input.rawModes, [true, false]);
  }
});

test('admin create-user on a real terminal does not show the password', { skip: spawnSync('script', ['--version']).status !== 0 && 'needs script(1)' }, async () => {
  const dir = tempDir();
  const cmd = [process.execPath, ...nodeArgs('src/main.ts'), 'admin', 'create-user', '--username', 'ttyuser', '--email', 'tty@example.org', '--role', 'member'].map((a) => `'${a}'`).join(' ');
  // script(1) runs the command on a pseudo-terminal; the transcript is what a user would see.
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env: { ...process.env, LOG_LEVEL: 'silent', PAPERBOY_DATA_DIR: dir }, stdio: ['pipe', 'pipe', 'pipe'] });
  let seen = '';
  const waitFor = (re: RegExp) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}; saw ${JSON.stringify(seen)}`)), 60_000);
    const check = () => { if (re.test(seen)) { clearTimeout(timer); child.stdout.off('data', check); resolve(); } };
    child.stdout.on('data', check);
    check();
  });
  child.stdout.on('data', (d) => { seen += d; });
  await waitFor(/Password \(at least 10 characters, not shown\): /);
  child.stdin.write('SuperSecretPw123\r');
  await waitFor(/same password again: /);
  child.stdin.write('SuperSecretPw123\r');
  await new Promise((resolve) => child.on('close', resolve));
  assert.match(seen, /admin done created=ttyuser role=member/);
  assert.doesNotMatch(seen, /SuperSecret/, 'the transcript holds no password');
  const store = await openStore(`sqlite:${path.join(dir, 'paperboy.db')}`);
  try {
    const user = await store.db.selectFrom('users').select(['password_hash', 'role']).where('username', '=', 'ttyuser').executeTakeFirstOrThrow();
    assert.equal(user.role, 'member');
    assert.ok(await verifyPassword('SuperSecretPw123', user.password_hash));
  } finally {
    await store.close();
  }
});

test('admin create-user names the missing or unreadable flag and shows the usage, and creates no database', () => {
  const dir = tempDir();
  const env = { PAPERBOY_DATA_DIR: dir, PAPERBOY_NEW_PASSWORD: 'correct horse battery' };
  const cases: [string[], RegExp][] = [
    [['--email', 'y@example.org', '--role', 'member'], /^admin: --username is needed/],
    [['--username', 'y', '--role', 'member'], /^admin: --email is needed/],
    [['--username', 'y', '--email', 'y@example.org'], /^admin: --role is needed/],
    [['--username', 'y'], /^admin: --email, --role are needed/],
    [['--username', 'z', '--email', 'z@example.org', '--role', 'member', '--password-file', '/nonexistent/pw'], /^admin: --password-file: cannot read \/nonexistent\/pw: ENOENT/],
    [['--username', 'z', '--email', 'z@example.org', '--role', 'king'], /^admin: --role is admin, curator or member \(got "king"\)/],
  ];
  for (const [args, message] of cases) {
    const r = paperboy(['admin', 'create-user', ...args], env);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stdout, '', args.join(' '));
    assert.doesNotMatch(r.stdout + r.stderr, /Invalid input|expected string|    at /);
  }
  assert.match(paperboy(['admin', 'create-user', '--username', 'y'], env).stderr, /usage: paperboy admin create-user/);
  assert.match(paperboy(['admin', 'grant'], env).stderr, /^admin: unknown subcommand "grant"/);
  assert.match(paperboy(['admin', '--help'], env).stdout, /^usage: paperboy admin create-user/);
  assert.deepEqual(fs.readdirSync(dir), [], 'no database was created');
});

test('admin create-user refuses bad values with every problem at once, prefixed admin:, and creates no database', () => {
  const dir = tempDir();
  const env = { PAPERBOY_DATA_DIR: dir, PAPERBOY_NEW_PASSWORD: 'short' };
  const bad = paperboy(['admin', 'create-user', '--username', 'x', '--email', 'not-an-address', '--role', 'member'], env);
  assert.equal(bad.code, 1, bad.stderr);
  assert.equal(bad.stderr, 'admin: Username: at least 3 characters; E-mail: that is not an e-mail address; Password: at least 10 characters; no account was created\n');
  assert.equal(bad.stdout, '');
  assert.deepEqual(fs.readdirSync(dir), [], 'no database was created');

  const good = { ...env, PAPERBOY_NEW_PASSWORD: 'correct horse battery' };
  assert.equal(paperboy(['admin', 'create-user', '--username', 'boss', '--email', 'boss@example.org', '--role', 'admin'], good).code, 0);
  const taken = paperboy(['admin', 'create-user', '--username', 'boss', '--email', 'Boss@example.org', '--role', 'member'], good);
  assert.equal(taken.code, 1);
  assert.equal(taken.stderr, 'admin: Username: boss is taken; E-mail: boss@example.org has an account; no account was created\n');
});
