/**
 * Submitting a paper with links: the links fill in what the paper lacks and never replace a
 * curator's, also when the curator stores a link while the submission is being written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setLinks, submitPaper, type CommunityDeps } from '../../src/services/community.ts';
import type { User } from '../../src/store/users.ts';
import type { Store } from '../../src/store/index.ts';
import { createMember, paperRecord } from '../helpers/factories.ts';
import { FIXED_NOW, tempStore } from '../helpers/store.ts';

async function setup(): Promise<{ store: Store; deps: CommunityDeps; member: User; curator: User }> {
  const store = await tempStore();
  const deps: CommunityDeps = { store, now: () => Date.parse(FIXED_NOW), arxiv: null, submitQuota: 100 };
  return { store, deps, member: await createMember(store, 'ada'), curator: await createMember(store, 'cura', { role: 'curator' }) };
}

test('a submission\'s links fill in what the paper lacks and keep the curator\'s', async () => {
  const { store, deps, member, curator } = await setup();
  await store.upsertPapers([paperRecord({ id: '2505.00301' })], FIXED_NOW);
  await setLinks(deps, curator, '2505.00301', { codeUrl: 'https://github.com/curated/repo', projectUrl: '' });
  await submitPaper(deps, member, { id: '2505.00301', codeUrl: 'https://github.com/submitted/repo', projectUrl: 'https://example.org/project' });
  const paper = await store.findPaperById('2505.00301');
  assert.equal(paper?.codeUrl, 'https://github.com/curated/repo');
  assert.equal(paper?.projectUrl, 'https://example.org/project');
});

test('a curator adding a link while a member submits the paper with another: the curator\'s stays', async () => {
  const { store, deps, member, curator } = await setup();
  for (let round = 0; round < 20; round++) {
    const id = `2505.${String(310 + round).padStart(5, '0')}`;
    await store.upsertPapers([paperRecord({ id })], FIXED_NOW);
    const curated = `https://github.com/curated/round-${round}`;
    await Promise.all([
      submitPaper(deps, member, { id, codeUrl: `https://github.com/submitted/round-${round}` }),
      setLinks(deps, curator, id, { codeUrl: curated, projectUrl: '' }),
    ]);
    assert.equal((await store.findPaperById(id))?.codeUrl, curated, `round ${round}`);
  }
});
