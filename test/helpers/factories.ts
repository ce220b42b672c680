import type { PaperRecord } from '../../src/domain/paper.ts';
import type { Store } from '../../src/store/index.ts';
import { createUser, type Role, type User } from '../../src/store/users.ts';
import { FIXED_NOW } from './store.ts';

let seq = 0;

/** A plausible paper record; every field can be overridden. */
export function paperRecord(overrides: Partial<PaperRecord> = {}): PaperRecord {
  seq++;
  const id = overrides.id ?? `2505.${String(10000 + seq).padStart(5, '0')}`;
  return {
    id,
    title: `A study of attention number ${seq}`,
    abstract: `We study attention in transformers, case ${seq}. Results improve on baselines.`,
    authors: ['Ada Lovelace', 'Alan Turing'],
    categories: ['cs.CL', 'cs.LG'],
    publishedAt: '2025-05-06T00:00:00.000Z',
    updatedAt: '2025-05-06T00:00:00.000Z',
    versions: [{ version: 1, submittedAt: '2025-05-05T12:00:00.000Z' }],
    announcedOn: ['2025-05-06'],
    announceType: 'new',
    ...overrides,
  };
}

/** A confirmed account named `username` (e-mail `username@example.org`), made straight in the store. */
export function createMember(
  store: Store, username: string, opts: { role?: Role; passwordHash?: string | null } = {},
): Promise<User> {
  return createUser(store.db, { username, email: `${username}@example.org`, passwordHash: opts.passwordHash ?? null, role: opts.role ?? 'member', verified: true }, FIXED_NOW);
}
