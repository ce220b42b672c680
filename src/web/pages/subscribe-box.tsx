/**
 * The subscribe box every page shows ("Get trending papers in your email inbox"), and the
 * digest section of account settings. Both are plain forms that work without JavaScript.
 *
 * The box may sit on pages the page cache serves to every visitor, so it carries a CSRF token
 * only for signed-in members; for others the server accepts it on a same-origin Origin header
 * (browsers send it on form posts) and otherwise asks once more on the subscribe page.
 */
import type { Viewer } from './layout.tsx';

export function SubscribeBox({ viewer }: { viewer?: Viewer | null }) {
  return (
    <section class="subscribe-box" aria-labelledby="subscribe-box-title">
      <div class="wrap">
        <h2 id="subscribe-box-title">Get trending papers in your email inbox</h2>
        <form method="post" action="/subscribe" class="subscribe-form">
          {viewer ? <input type="hidden" name="_csrf" value={viewer.csrf} /> : null}
          <input type="hidden" name="kind" value="trending" />
          <label>
            <span class="sr-only">E-mail address</span>
            <input type="email" name="email" required maxlength={254} autocomplete="email" placeholder="you@example.org" />
          </label>
          <label>
            <span class="sr-only">How often</span>
            <select name="period">
              <option value="weekdays">Daily, Monday to Friday</option>
              <option value="daily">Daily, every day</option>
              <option value="weekly">Weekly</option>
            </select>
          </label>
          <button type="submit" class="primary">Subscribe</button>
        </form>
        <p class="hint muted">We send one e-mail to confirm the address first. Every digest has a one-click unsubscribe. <a href="/subscribe">More options</a>, such as alerts for a search.</p>
      </div>
    </section>
  );
}

/** A section for the settings page: links to the member's digest subscriptions. */
export function DigestSettingsSection() {
  return (
    <section aria-labelledby="s-digests">
      <h2 id="s-digests">E-mail digests</h2>
      <p>Trending papers daily or weekly, and alerts for saved searches, sent to your address. <a href="/settings/digests">Manage your digests and alerts</a>.</p>
    </section>
  );
}
