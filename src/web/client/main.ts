/**
 * Small enhancements; every page reads and works without them.
 * - Keyboard: j/k move between papers, Enter opens, [ and ] go to the previous/next day.
 * - "Copy BibTeX" buttons.
 */

function cards(): HTMLElement[] {
  return Array.from(document.querySelectorAll<HTMLElement>('[data-card]'));
}

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

document.addEventListener('keydown', (e) => {
  if (e.metaKey || e.ctrlKey || e.altKey || typing(e.target)) return;
  if (e.key === 'j') { focusCard(current + 1); e.preventDefault(); }
  else if (e.key === 'k') { focusCard(current - 1); e.preventDefault(); }
  else if (e.key === '[' || e.key === ']') {
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
