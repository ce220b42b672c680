/**
 * Password hashing with scrypt (node:crypto): memory-hard, salted, compared in constant time.
 * Stored as `scrypt$N$r$p$salt$hash` so the cost can be raised later without breaking old hashes.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { fastTestPasswords } from '../config.ts';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));

/**
 * The work factor: 2^15 iterations, r=8 (~32 MiB and tens of ms a hash, the common recommendation
 * for interactive logins). The test suite lowers N to 2^10 (`fast`: PAPERBOY_TEST_FAST_PASSWORDS=1,
 * which scripts/run-tests.ts sets), as test set-ups commonly lower a password hash's cost: its tests
 * hash and check hundreds of passwords. Each hash records its own cost, so every hash verifies
 * whatever the current setting.
 */
export function passwordCost(fast: boolean): { N: number; r: number; p: number } {
  return { N: fast ? 2 ** 10 : 2 ** 15, r: 8, p: 1 };
}
const COST = passwordCost(fastTestPasswords());
const KEY_BYTES = 32;
const MAXMEM = 128 * 1024 * 1024;
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 200; // longer inputs only cost CPU

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password.normalize('NFKC'), salt, KEY_BYTES, { ...COST, maxmem: MAXMEM });
  return `scrypt$${COST.N}$${COST.r}$${COST.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  if (!stored || password.length > PASSWORD_MAX) return false;
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password.normalize('NFKC'), Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: MAXMEM });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash to compare against when the account does not exist, so timing does not reveal it. */
let dummy: Promise<string> | null = null;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  return dummy;
}
