/**
 * Small enhancements; every page reads and works without them.
 * - Keyboard: j/k move between papers, Enter opens, [ and ] go to the previous/next day, week or month.
 * - "Copy BibTeX" buttons.
 */
import { isRowId } from '../../store/row-id.ts';

function cards(): HTMLElement[] {
  return Array.from(document.querySelectorAll<HTMLElement>('[data-card]'));
}

/** The card the last j or k moved to, where the next one starts when nothing has the focus. */
let current = -1;

function focusCard(i: number): void {
  const all = cards();
  if (all.length === 0) return;
  current = Math.max(0, Math.min(all.length - 1, i));
  const link = all[current]!.querySelector<HTMLAnchorElement>('.card-title a');
  link?.focus();
  all[current]!.scrollIntoView({ block: 'nearest' });
}

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

/**
 * Where the keys start from: the card holding the focus (so j after Tab goes on from there), the
 * last card they moved to when nothing has the focus, or null when the focus is elsewhere (a form,
 * the header's links): there the letters are left alone (WCAG 2.1.4).
 */
function startingCard(): number | null {
  const active = document.activeElement;
  if (!active || active === document.body || active === document.documentElement) return current;
  const at = cards().findIndex((card) => card.contains(active));
  return at >= 0 ? at : null;
}

document.addEventListener('keydown', (e) => {
  if (e.metaKey || e.ctrlKey || e.altKey || typing(e.target)) return;
  if (!['j', 'k', '[', ']'].includes(e.key)) return;
  const from = startingCard();
  if (from === null) return;
  if (e.key === 'j') { focusCard(from + 1); e.preventDefault(); }
  else if (e.key === 'k') { focusCard(from - 1); e.preventDefault(); }
  else {
    const link = document.querySelector<HTMLAnchorElement>(e.key === '[' ? '[data-key-prev]' : '[data-key-next]');
    if (link) link.click();
  }
});

for (const button of Array.from(document.querySelectorAll<HTMLButtonElement>('button[data-copy]'))) {
  const source = document.querySelector(button.dataset.copy!);
  if (!source || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener('click', async () => {
    await navigator.clipboard.writeText(source.textContent ?? '');
    button.textContent = 'Copied';
    setTimeout(() => { button.textContent = 'Copy BibTeX'; }, 2000);
  });
}

// Upvotes without a page load: the form still works on its own; this only makes it instant.
// The button stays enabled (a disabled button drops the keyboard focus to the page, so a second
// Enter would do nothing): a vote in flight marks the form aria-busy and further presses wait for it.
document.addEventListener('submit', async (e) => {
  const form = e.target as HTMLFormElement;
  if (!form.matches('form[data-vote]')) return;
  e.preventDefault();
  if (form.getAttribute('aria-busy') === 'true') return;
  const button = form.querySelector<HTMLButtonElement>('button');
  const want = form.querySelector<HTMLInputElement>('input[name="want"]')!;
  const count = form.querySelector<HTMLElement>('.count');
  form.setAttribute('aria-busy', 'true');
  try {
    const res = await fetch(form.action, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(new FormData(form) as unknown as Record<string, string>).toString(),
      credentials: 'same-origin',
    });
    if (!res.ok) { form.submit(); return; } // let the server's page explain
    const data = (await res.json()) as { voted: boolean; upvotes: number };
    want.value = data.voted ? '0' : '1';
    if (count) count.textContent = String(data.upvotes);
    if (button) {
      button.setAttribute('aria-pressed', data.voted ? 'true' : 'false');
      button.title = data.voted ? 'Remove your upvote' : 'Upvote';
    }
    form.closest('.votes')?.classList.toggle('voted', data.voted);
    const arrow = form.querySelector('.arrow');
    if (arrow) arrow.textContent = data.voted ? '▲' : '△'; // as VOTED_ARROW and UNVOTED_ARROW in pages/controls.tsx
    const sr = form.querySelector('.vote-noun');
    if (sr) sr.textContent = ` ${data.upvotes === 1 ? 'upvote' : 'upvotes'}${data.voted ? ', upvoted by you' : ''}`;
  } catch {
    form.submit();
  } finally {
    form.removeAttribute('aria-busy');
  }
});

// A link to a comment written before the discussion came in pages (`/papers/ID#c123`) may name one
// on a later page: the server is asked for the page holding it (`?comment=123`), once.
const wantedComment = /^#c(\d{1,10})$/.exec(location.hash)?.[1];
if (wantedComment && isRowId(Number(wantedComment)) && document.getElementById('comments') && !document.getElementById(`c${wantedComment}`)) {
  const url = new URL(location.href);
  if (url.searchParams.get('comment') !== wantedComment) {
    url.searchParams.set('comment', wantedComment);
    url.searchParams.delete('page');
    location.replace(url.href);
  }
}

// A status line a form came back to (`#undo` after "Not interested", `#saved` on the Save page) gets
// the focus, so a screen reader says it (one already in a loading page is not announced), and Tab
// goes on from there, to its Undo or its way back.
const arrivedAt = location.hash.length > 1 ? document.getElementById(location.hash.slice(1)) : null;
if (arrivedAt?.hasAttribute('data-announce')) arrivedAt.focus();
