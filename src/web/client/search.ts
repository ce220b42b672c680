/**
 * Search-as-you-type on /search: as the reader types, the first results appear under the box
 * (from /search/live), as links. Without JavaScript the form submits as usual; Enter always does.
 * Builds DOM nodes from data (textContent), never HTML from strings.
 */

const DEBOUNCE_MS = 150;

interface LiveItem {
  id: string;
  url: string;
  title: string;
  marks: [string, boolean][];
}

function setUp(form: HTMLFormElement): void {
  const input = form.querySelector<HTMLInputElement>('input[name=q]');
  const box = form.querySelector<HTMLElement>('#search-live');
  const status = form.querySelector<HTMLElement>('#search-live-status');
  if (!input || !box) return;
  input.setAttribute('aria-controls', box.id);
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Each ask has a number; an answer is shown only while its number is the latest. Closing the
  // list (Escape, a click elsewhere, a box too short to search) takes a number too, and cancels the
  // ask in flight and the one waiting for the typing to pause, so no late answer opens it again.
  let seq = 0;
  let inflight: AbortController | undefined;

  const cancel = () => {
    seq++;
    clearTimeout(timer);
    inflight?.abort();
    inflight = undefined;
  };
  const hide = () => {
    cancel();
    box.hidden = true;
    box.replaceChildren();
    if (status) status.textContent = '';
  };
  const links = () => Array.from(box.querySelectorAll<HTMLAnchorElement>('a'));

  const show = (items: LiveItem[], total: number, exact: boolean, typed: string, completions: string[]) => {
    if (items.length === 0) { hide(); return; }
    const list = document.createElement('ul');
    for (const item of items) {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = item.url;
      for (const [text, hit] of item.marks) {
        if (hit) { const m = document.createElement('mark'); m.textContent = text; a.append(m); } else a.append(text);
      }
      li.append(a);
      list.append(li);
    }
    const more = document.createElement('p');
    more.className = 'muted';
    more.textContent = completions.length > 0
      ? `Showing ${completions.join(', ')}: press Enter to search for “${typed.trim()}”`
      : `${exact ? '' : 'about '}${total.toLocaleString('en-US')} ${total === 1 ? 'paper' : 'papers'}: press Enter for all`;
    box.replaceChildren(list, more);
    box.hidden = false;
    if (status) status.textContent = `${items.length} ${items.length === 1 ? 'result' : 'results'} below the box: down arrow to go through them, Escape to close.`;
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value;
    if (q.trim().length < 2) { hide(); return; }
    timer = setTimeout(async () => {
      cancel();
      const mine = seq;
      const ask = new AbortController();
      inflight = ask;
      try {
        const res = await fetch(`/search/live?q=${encodeURIComponent(q)}`, { headers: { accept: 'application/json' }, signal: ask.signal });
        if (!res.ok || mine !== seq) return;
        const data = (await res.json()) as { items: LiveItem[]; total: number; totalExact: boolean; completions?: string[] };
        if (mine === seq) show(data.items, data.total, data.totalExact, q, data.completions ?? []);
      } catch {
        // Cancelled, offline or the server is gone: the form still works.
      } finally {
        if (inflight === ask) inflight = undefined;
      }
    }, DEBOUNCE_MS);
  });
  // Escape closes the list and keeps the text (Chromium would also clear a search box on Escape);
  // with the list closed it does what the browser does, and the list stays closed (an answer on its
  // way is dropped). The arrows go from the box into the list, through it, and back.
  input.addEventListener('keydown', (e) => {
    if (box.hidden) { if (e.key === 'Escape') cancel(); return; }
    if (e.key === 'Escape') { e.preventDefault(); hide(); }
    if (e.key === 'ArrowDown' && links().length > 0) { e.preventDefault(); links()[0]!.focus(); }
  });
  box.addEventListener('keydown', (e) => {
    const all = links();
    const at = all.indexOf(document.activeElement as HTMLAnchorElement);
    if (e.key === 'Escape') { e.preventDefault(); hide(); input.focus(); return; }
    if (at < 0 || (e.key !== 'ArrowDown' && e.key !== 'ArrowUp')) return;
    e.preventDefault();
    const next = e.key === 'ArrowDown' ? Math.min(at + 1, all.length - 1) : at - 1;
    if (next < 0) input.focus();
    else all[next]!.focus();
  });
  document.addEventListener('click', (e) => { if (!form.contains(e.target as Node)) hide(); });
}

for (const form of Array.from(document.querySelectorAll<HTMLFormElement>('form[data-search-form]'))) setUp(form);
