/**
 * The admin pages' own navigation, shown at the top of each of them, so every admin page links to
 * every other.
 */
const ADMIN_PAGES = [
  { href: '/admin/moderation', label: 'Moderation' },
  { href: '/admin/digests', label: 'Digests' },
  { href: '/admin/runs', label: 'Job runs' },
  { href: '/admin/outbox', label: 'Mail outbox' },
] as const;

export function AdminNav({ current }: { current: (typeof ADMIN_PAGES)[number]['href'] }) {
  return (
    <nav aria-label="Admin" class="admin-nav">
      <ul class="nav">
        {ADMIN_PAGES.map((p) => <li><a href={p.href} aria-current={p.href === current ? 'page' : undefined}>{p.label}</a></li>)}
      </ul>
    </nav>
  );
}
