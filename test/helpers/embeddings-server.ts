/**
 * A local OpenAI-compatible embeddings endpoint (`POST /v1/embeddings`) standing in for an external
 * embedding service: a deterministic vector from the words' letters (topics share words, so they
 * cluster). It records what it was asked, and can be told to fail or to stop answering.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EmbeddingsRequest { auth: string | undefined; body: { model: string; input: string[] } }

export interface EmbeddingsServer {
  /** Base URL up to and including /v1. */
  baseUrl: string;
  dims: number;
  seen: EmbeddingsRequest[];
  /** Answer every request with this status (null: answer normally). */
  failWith: number | null;
  /** Answer only the next request with this status. */
  failNext: number | null;
  /** Never answer (the client's timeout has to end it). */
  hang: boolean;
  embedding(text: string): number[];
  close(): Promise<void>;
}

export async function startEmbeddingsServer(dims = 8): Promise<EmbeddingsServer> {
  const embedding = (text: string): number[] => {
    const v = new Array<number>(dims).fill(0);
    for (const w of text.toLowerCase().split(/\W+/).filter((x) => x.length > 3)) v[(w.charCodeAt(0) + w.charCodeAt(1)) % dims]! += 1;
    return v;
  };
  const hanging = new Set<http.ServerResponse>();
  const state: Omit<EmbeddingsServer, 'baseUrl' | 'close'> = { dims, seen: [], failWith: null, failNext: null, hang: false, embedding };
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => { data += c; });
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/embeddings') { res.writeHead(404).end(); return; }
      const body = JSON.parse(data) as EmbeddingsRequest['body'];
      state.seen.push({ auth: req.headers.authorization, body });
      if (state.hang) { hanging.add(res); return; }
      const fail = state.failNext ?? state.failWith;
      state.failNext = null;
      if (fail !== null) { res.writeHead(fail, { 'content-type': 'text/plain' }).end('overloaded'); return; }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        object: 'list', model: body.model,
        // Out of order on purpose: clients must place each vector by its index.
        data: body.input.map((t, index) => ({ object: 'embedding', index, embedding: embedding(t) })).reverse(),
      }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return Object.assign(state, {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () => new Promise<void>((r) => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      server.close(() => r());
    }),
  });
}
