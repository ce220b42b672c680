/**
 * The keyword extractor, table-driven over real abstracts (arXiv listings of May-June 2025 and a
 * Hugging Face daily row of 2024, from the shared data folder), with corpus statistics counted over
 * the whole 10,511-paper listing; and its edge cases: empty abstracts, other languages and scripts,
 * TeX, determinism, highlighting.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import {
  analyzeText, buildKeywordModel, candidateKeys, EMPTY_MODEL, extractKeywords, markKeywords, MAX_KEYWORDS, wordKey, type AnalyzedText, type KeywordModel,
} from './keywords.ts';

const SHARED = process.env.PAPERBOY_SHARED_DATA ?? path.resolve('../shared/data');
const LISTINGS = path.join(SHARED, 'arxiv-cs-listings-2025-05-06', 'arxiv_cs_2025-05_06.jsonl.gz');
const HF_DAILY = path.join(SHARED, 'hf-daily-papers-2024', 'hf_daily_papers_2024.jsonl.gz');

interface Row { id?: string; arxiv_id?: string; title: string; abstract: string }
const readJsonl = (file: string): Row[] => zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);

test('word keys fold case and English plurals, and leave words that only look plural', () => {
  const cases: [string, string][] = [
    ['models', 'model'], ['Models', 'model'], ['studies', 'study'], ['LLMs', 'llm'], ['analysis', 'analysis'], ['focus', 'focus'],
    ['dynamics', 'dynamics'], ['gas', 'gas'], ['boxes', 'boxes'], ['Schrödinger', 'schrödinger'], ['GPT-4o', 'gpt-4o'], ["model's", 'model'],
  ];
  for (const [word, key] of cases) assert.equal(wordKey(word), key, word);
});

describe('keywords of real abstracts, scored against the corpus they come from', { skip: fs.existsSync(LISTINGS) ? false : `shared data not found: ${LISTINGS}` }, () => {
  let rows: Row[];
  // Each paper analysed once for the whole suite (the listing takes seconds to analyse).
  let analyses: AnalyzedText[];
  let model: KeywordModel;
  before(() => {
    rows = readJsonl(LISTINGS);
    analyses = rows.map(analyzeText);
    model = buildKeywordModel(analyses);
  });
  const byId = (id: string) => rows.find((r) => r.id === id)!;

  const table: { id: string; has: string[]; first?: string }[] = [
    { id: '2504.21015', has: ['dense retrieval', 'synthetic training data', 'hard negative'] },
    { id: '2504.21016', has: ['COVID-19', 'nested named entity', 'vietnamese'] },
    { id: '2506.13492', has: ['signed distance field', 'GeoSDF', 'plane geometry'] },
    { id: '2506.08007', has: ['reinforcement pre-training', 'next-token'] },
    { id: '2504.21318', has: ['phi-4-reasoning', 'technical report'], first: 'phi-4-reasoning' },
  ];
  for (const row of table) {
    test(`${row.id}: ${row.has.join(', ')}`, () => {
      const kws = extractKeywords(byId(row.id), model);
      assert.ok(kws.length > 0 && kws.length <= MAX_KEYWORDS, JSON.stringify(kws));
      for (const k of row.has) assert.ok(kws.includes(k), `${k} not in ${JSON.stringify(kws)}`);
      if (row.first) assert.equal(kws[0], row.first);
    });
  }

  test('no keyword is a stop word or one of the words every abstract uses, and none repeats or contains another', () => {
    const generic = new Set(['model', 'method', 'approach', 'results', 'paper', 'propose', 'performance', 'data', 'task', 'learning', 'large language model']);
    for (const r of rows.slice(0, 400)) {
      const kws = extractKeywords(r, model);
      const keys = kws.map((k) => k.split(/[\s-]+/).map(wordKey).join(' '));
      for (const k of keys) assert.ok(!generic.has(k), `${r.id}: "${k}" is too common to say anything`);
      assert.equal(new Set(keys).size, keys.length, `${r.id}: ${JSON.stringify(kws)}`);
      for (const a of keys) for (const b of keys) if (a !== b) assert.ok(!` ${a} `.includes(` ${b} `), `${r.id}: "${a}" contains "${b}"`);
    }
  });

  test('deterministic: the same corpus in another order gives the same keywords', () => {
    const reversed = buildKeywordModel([...analyses].reverse());
    for (const r of rows.slice(0, 200)) assert.deepEqual(extractKeywords(r, reversed), extractKeywords(r, model), r.id!);
  });

  test('a paper from another corpus (a Hugging Face daily row of 2024) gets keywords too', { skip: fs.existsSync(HF_DAILY) ? false : 'no Hugging Face rows' }, () => {
    const larp = readJsonl(HF_DAILY).find((r) => r.arxiv_id === '2312.17653')!;
    const kws = extractKeywords(larp, model);
    assert.ok(kws.includes('LARP'), JSON.stringify(kws));
    assert.ok(kws.some((k) => k.includes('open-world')), JSON.stringify(kws));
  });

  test('the model leaves out keys found in one paper only, and every paper scores as with them', () => {
    const full = new Map<string, number>();
    for (const a of analyses) for (const k of candidateKeys(a)) full.set(k, (full.get(k) ?? 0) + 1);
    const once = [...full].filter(([, n]) => n === 1).map(([k]) => k);
    assert.ok(once.length > full.size / 2, 'most keys are in one paper');
    assert.ok(once.every((k) => !model.df.has(k)));
    assert.equal(model.df.size, full.size - once.length);
    // Counted from the texts (keys only) or from their analyses: the same model (on a fifth of the
    // listing: counting the texts analyses them again).
    const some = rows.slice(0, 2_000);
    assert.deepEqual(buildKeywordModel(some), buildKeywordModel(analyses.slice(0, 2_000)));
    const withAll: KeywordModel = { docs: model.docs, df: full };
    for (const [i, r] of some.entries()) assert.deepEqual(extractKeywords(analyses[i]!, model), extractKeywords(analyses[i]!, withAll), r.id);
  });

  test('the corpus matters: a word common in it scores below one that is rare in it', () => {
    const doc = { title: 'Transformers for tokamak plasma control', abstract: 'We apply transformers to tokamak plasma control. Transformers predict plasma shape.' };
    const kws = extractKeywords(doc, model);
    assert.ok(kws.indexOf('tokamak plasma control') >= 0, JSON.stringify(kws));
    assert.ok(kws.indexOf('tokamak plasma control') < Math.max(kws.indexOf('transformers'), 0) || !kws.includes('transformers'), JSON.stringify(kws));
  });
});

describe('edge cases', () => {
  test('an empty abstract: keywords from the title alone; nothing at all: none', () => {
    assert.deepEqual(extractKeywords({ title: 'Sparse Attention for Long Documents', abstract: '' }), ['sparse attention', 'long documents']);
    assert.deepEqual(extractKeywords({ title: '', abstract: '' }), []);
    assert.deepEqual(extractKeywords({ title: 'On the', abstract: '   ' }), []);
  });

  test('French, German and Spanish abstracts: terms, not function words', () => {
    const cases: { doc: { title: string; abstract: string }; has: string; not: string[] }[] = [
      { doc: { title: 'Apprentissage profond pour la traduction automatique', abstract: 'Nous proposons une méthode de traduction automatique fondée sur les réseaux de neurones. La traduction automatique des textes juridiques est difficile.' }, has: 'traduction automatique', not: ['nous', 'les', 'la'] },
      { doc: { title: 'Maschinelle Übersetzung mit neuronalen Netzen', abstract: 'Wir untersuchen die maschinelle Übersetzung und zeigen, dass neuronale Netze die Übersetzung verbessern.' }, has: 'maschinelle übersetzung', not: ['wir', 'die', 'und'] },
      { doc: { title: 'Redes neuronales para la detección de fraude', abstract: 'Presentamos un sistema de detección de fraude con redes neuronales para los bancos.' }, has: 'detección', not: ['los', 'con', 'para'] },
    ];
    for (const { doc, has, not } of cases) {
      const kws = extractKeywords(doc).map((k) => k.toLowerCase());
      assert.ok(kws.some((k) => k.includes(has)), `${has} not in ${JSON.stringify(kws)}`);
      for (const w of not) assert.ok(!kws.some((k) => k.split(' ').includes(w)), `"${w}" in ${JSON.stringify(kws)}`);
    }
  });

  test('other scripts: Cyrillic words are terms; unspaced Chinese gives no error and no clause-long keyword', () => {
    const ru = extractKeywords({ title: 'Нейронные сети для распознавания речи', abstract: 'Мы изучаем нейронные сети. Распознавание речи улучшается.' });
    assert.ok(ru.some((k) => k.includes('нейронные')), JSON.stringify(ru));
    const zh = extractKeywords({ title: '基于深度学习的图像分割方法研究', abstract: '本文提出了一种基于深度学习的图像分割方法，在多个数据集上取得了较好的效果。我们使用 Transformer 模型。' });
    assert.ok(zh.length <= MAX_KEYWORDS);
    for (const k of zh) assert.ok(k.length <= 30, k);
    assert.ok(zh.includes('transformer'), JSON.stringify(zh));
  });

  test('TeX math, commands and URLs are not keywords', () => {
    const kws = extractKeywords({
      title: 'Bounds on $\\alpha$-divergences', abstract: 'We bound the $\\alpha$-divergence of \\emph{mixture models}; mixture models are common. Code: https://github.com/x/y',
    });
    for (const k of kws) assert.ok(!/alpha|emph|github|https/.test(k), k);
    assert.ok(kws.includes('mixture models'), JSON.stringify(kws));
  });

  test('an empty corpus model is allowed and gives counts-only keywords', () => {
    const doc = { title: 'Graph neural networks', abstract: 'Graph neural networks and more graph neural networks.' };
    assert.deepEqual(extractKeywords(doc, EMPTY_MODEL), extractKeywords(doc));
    assert.equal(extractKeywords(doc)[0], 'graph neural networks');
  });

  test('highlighting marks each occurrence, whatever its case or number, longest first, never across punctuation', () => {
    const text = 'Language models help. A language model, or LLMs; language. Models differ.';
    const segs = markKeywords(text, ['language models', 'LLMs']);
    assert.equal(segs.map((s) => s.text).join(''), text, 'the text is kept whole');
    assert.deepEqual(segs.filter((s) => s.keyword).map((s) => s.text), ['Language models', 'language model', 'LLMs']);
    assert.deepEqual(markKeywords('', ['x']), [{ text: '', keyword: null }]);
    assert.deepEqual(markKeywords('abc', []), [{ text: 'abc', keyword: null }]);
  });
});
