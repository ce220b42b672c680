/**
 * Shared test data for search: a small topical corpus and a fast embedder configuration.
 */
import type { PaperRecord } from '../../src/domain/paper.ts';
import { paperRecord } from '../helpers/factories.ts';

/** The corpus embedder, small enough to train in a fraction of a second. */
export const SMALL_EMBEDDER = { dims: 32, epochs: 2, queriesPerDoc: 2, batchSize: 16, maxTrainingDocs: 500 };

const TOPICS = [
  ['Sparse attention for long documents', 'We propose sparse attention patterns that let transformers read long documents with linear memory.'],
  ['Graph neural networks for molecules', 'Message passing graph networks predict molecular properties and protein binding.'],
  ['Diffusion models for video generation', 'A diffusion model generates coherent video frames from text prompts.'],
  ['Retrieval-augmented generation', 'Retrieval of passages from a corpus grounds language model answers and reduces hallucination.'],
  ['Quantum error correction codes', 'Surface codes protect qubits from noise in quantum computers.'],
  ['Reinforcement learning for robots', 'Policies learnt by reinforcement learning control robot arms in the real world.'],
];

export function topicalRecords(n: number): PaperRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const [title, abstract] = TOPICS[i % TOPICS.length]!;
    return paperRecord({
      id: `2503.${String(10000 + i)}`,
      title: `${title} ${i}`,
      abstract: `${abstract} Variant ${i} studies attention heads and long documents in detail.`.replace(/attention heads and long documents/, i % 2 ? 'attention heads and long documents' : 'long attention documents'),
      authors: i % 4 === 0 ? ['Yann LeCun', 'Ada Lovelace'] : ['Alan Turing'],
      categories: i % 3 === 0 ? ['cs.CL', 'cs.LG'] : ['cs.CV'],
      publishedAt: `2024-0${1 + (i % 9)}-15T00:00:00.000Z`,
      codeUrl: i % 5 === 0 ? `https://github.com/x/${i}` : null,
    });
  });
}


/**
 * Papers for the near-synonym tests (query "tumour suppression"): `${prefix}1` says "tumor" where the
 * query says "tumour", `${prefix}2` is shorter and lacks both; the others put "tumour", "tumor" and
 * "keyboard" in at least two papers each, so that the index keeps their word vectors.
 */
export function tumourRecords(prefix: string): PaperRecord[] {
  return [
    paperRecord({ id: `${prefix}1`, title: 'Suppression of tumor growth in mice', abstract: 'A tumor suppression pathway in mice, measured over two months of treatment.' }),
    paperRecord({ id: `${prefix}2`, title: 'Suppression of keyboard noise', abstract: 'Keyboard noise suppression in calls.' }),
    paperRecord({ id: `${prefix}3`, title: 'Tumour imaging', abstract: 'Imaging of tumour margins.' }),
    paperRecord({ id: `${prefix}4`, title: 'Tumour markers', abstract: 'Blood markers of tumour burden.' }),
    paperRecord({ id: `${prefix}5`, title: 'Tumor hypoxia', abstract: 'Hypoxia in tumor cores.' }),
    paperRecord({ id: `${prefix}6`, title: 'Keyboard layouts', abstract: 'Typing speed on keyboard layouts.' }),
  ];
}
