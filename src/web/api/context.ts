/**
 * What the open-data route modules share: the services' dependencies, built once from the app's.
 */
import type { Context } from 'hono';
import type { CommunityDeps } from '../../services/community.ts';
import type { DayWindow } from '../../domain/dates.ts';
import type { OpenDataDeps, SiteStats } from '../../services/open-data.ts';
import type { TokenDeps } from '../../services/open-data-tokens.ts';
import type { AppDeps } from '../app.tsx';
import type { PresentContext } from './presenters.ts';

export interface ApiContext {
  deps: AppDeps;
  od: OpenDataDeps;
  /** The numbers of /stats, kept a minute while the data stands (keptSiteStats). */
  siteStats: (month?: DayWindow) => Promise<SiteStats>;
  tokens: TokenDeps;
  community: CommunityDeps;
  present: PresentContext;
  siteName: string;
  /** The client's address, for rate limits. */
  ip: (c: Context) => string;
}
