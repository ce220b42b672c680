/**
 * Routes of the community: accounts, votes, submissions, comments, collections, curation,
 * moderation. Thin handlers: check CSRF, call a service, present (HTML, or JSON for the client
 * script when it asks with Accept: application/json). State changes only on POST.
 */
import { commentPath } from './pages/paper.tsx';
import { ownEntry } from '../domain/lookup.ts';
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import { maskLinkSecrets, readOutbox } from '../mail/mailer.ts';
import {
  changePassword, checkResetLink, createSession, deleteAccount, pendingConfirmation, requestEmailChange, requestPasswordReset, resendVerification, resetPassword, shownAddress, signIn, signOut,
  signUp, verifyEmail,
  type AccountDeps,
} from '../services/accounts.ts';
import {
  addComment, administerUser, changeCollection, createCollection, curate, dropCollection, editCollection, flagComment, moderateComment, removeComment,
  ownCollection, ownComment, setLinks, submitPaper, updateComment, vote, voteComment, type CommunityDeps,
} from '../services/community.ts';
import { UserError } from '../services/errors.ts';
import { collectionPaperIds, collectionsHolding, findCollection, listUserCollections } from '../store/collections.ts';
import { countHiddenComments, countReportedComments, findComment, listHiddenComments, listReportedComments, listUserComments } from '../store/comments.ts';
import { countHiddenPapers, countSuspendedAccounts, listHiddenPapers, listSuspendedAccounts } from '../store/admin-lists.ts';
import { readKeysetPage } from '../store/keyset.ts';
import { moderationHref, pagerLinks, parseModerationCursors } from './moderation-paging.ts';
import { listSubmittedPaperIds } from '../store/curation.ts';
import { listCardsByIds } from '../store/listings.ts';
import { findUserByName, updateUser } from '../store/users.ts';
import { listVotedPaperIds, votedAmong } from '../store/votes.ts';
import { parseArxivId } from '../domain/arxiv-id.ts';
import type { Web } from './app.tsx';
import { clearSessionCookie, clientIp, csrfToken, setFarewellCookie, takeFarewellCookie, knownDevice, rememberDevice, requireUser, safeNext, SESSION_COOKIE, setSessionCookie, verifyCsrf, type AppEnv } from './auth.ts';
import { ForgotPage, NoticePage, ResetPage, SettingsPage, SignInPage, SignUpPage, VerifyPage, type SettingsFailure } from './pages/account.tsx';
import {
  CollectionPage, CollectionsPage, ConfirmDeleteCollectionPage, ConfirmDeleteCommentPage, EditCommentPage, type CollectionFailure, HIDDEN_COMMENTS_ANCHOR, HIDDEN_PAPERS_ANCHOR, ModerationPage, REPORTED_ANCHOR, SUSPENDED_ANCHOR, OutboxPage, ProfilePage, SAVED_ANCHOR, SavePage, savePath, SubmitPage,
} from './pages/community.tsx';

/**
 * Form bodies larger than this are refused with a 413 before they are read. A comment's 10,000
 * characters take up to 90 KB in a form (a CJK character is 3 UTF-8 bytes, each sent as %XX).
 */
export const MAX_FORM_BYTES = 128 * 1024;
const PROFILE_LIST = 30;
/** Rows per page of each list on /admin/moderation. */
const MODERATION_PAGE = 100;

type Form = Record<string, string>;

/**
 * A form's refusal, to show the form again with it: anything but a UserError is thrown on (a 500),
 * and a limit's wait (a 429 or 503) goes into Retry-After.
 */
function shownAgain(c: Context<AppEnv>, err: unknown): asserts err is UserError {
  if (!(err instanceof UserError)) throw err;
  if (err.retryAfterSeconds) c.header('Retry-After', String(err.retryAfterSeconds));
}

export function mountCommunityRoutes(app: Hono<AppEnv>, web: Web): void {
  const { deps, auth } = web;
  const { store, config } = deps;
  const now = () => deps.clock.now();
  const accounts: AccountDeps = {
    store, mailer: deps.mailer, baseUrl: config.baseUrl, siteName: config.siteName, now,
    onMailFailure: (err) => deps.logger.error({ err: err.cause ?? err }, 'mail: an account e-mail (sign-up confirmation or notice) could not be sent; the action went on'),
    later: deps.afterAnswer,
  };
  const community: CommunityDeps = { store, now, arxiv: deps.arxiv, submitQuota: config.submitQuota };
  const ip = (c: Context) => clientIp(c, config.trustProxy);
  const wantsJson = (c: Context) => (c.req.header('accept') ?? '').includes('application/json');

  app.use('*', async (c, next) => {
    if (c.req.method !== 'POST') return next();
    return bodyLimit({ maxSize: MAX_FORM_BYTES, onError: (cc) => web.errorPage(cc as Context<AppEnv>, 413, `Forms are limited to ${MAX_FORM_BYTES / 1024} KB.`) })(c, next);
  });

  /** Reads a urlencoded or multipart form (files ignored) and checks its CSRF token. */
  async function form(c: Context<AppEnv>): Promise<Form> {
    const type = c.req.header('content-type') ?? '';
    let body: Record<string, unknown> = {};
    if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
      try {
        body = await c.req.parseBody();
      } catch {
        throw new UserError(400, 'This form could not be read.');
      }
    } else if (type.startsWith('application/json')) {
      try {
        const parsed = await c.req.json();
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
      } catch {
        throw new UserError(400, 'This request body is not valid JSON.');
      }
    }
    const fields: Form = {};
    for (const [k, v] of Object.entries(body)) if (typeof v === 'string') fields[k] = v;
    verifyCsrf(c, auth, fields._csrf);
    return fields;
  }

  const back = (c: Context<AppEnv>, f: Form, fallback: string) => c.redirect(safeNext(f.next, fallback), 303);

  // Accounts

  app.get('/signup', async (c) => {
    if (c.get('user')) return c.redirect('/', 303);
    return web.html(c, <SignUpPage site={await web.site(c)} csrf={csrfToken(c, auth)} />);
  });
  app.post('/signup', async (c) => {
    const f = await form(c);
    try {
      const user = await signUp(accounts, { username: f.username, email: f.email, password: f.password, ip: ip(c) });
      const session = await createSession(accounts, user);
      setSessionCookie(c, auth, session.token);
      return c.redirect('/account/welcome', 303);
    } catch (err) {
      shownAgain(c, err);
      c.header('Cache-Control', 'no-store'); // shows the address typed
      return web.html(c, <SignUpPage site={await web.site(c)} csrf={csrfToken(c, auth)} error={err.message} values={{ username: f.username?.slice(0, 30), email: f.email?.slice(0, 254) }} />, err.status);
    }
  });
  app.get('/account/welcome', async (c) => {
    const user = requireUser(c);
    const site = await web.site(c);
    c.header('Cache-Control', 'no-store'); // shows the account's address
    if (user.emailVerifiedAt) {
      return web.html(c, <NoticePage site={site} title="Welcome" message={`Your account is ready and ${user.email} is confirmed.`} link={{ href: '/', label: "See today's papers" }} />);
    }
    // The e-mail leaves after the sign-up's answer, so this page cannot know whether the mail server
    // took it: it says where it goes and how to ask again (the same for every address).
    const address = (await shownAddress(store, user)).email;
    return web.html(c, <NoticePage site={site} title="Welcome" message={`Your account is ready, and an e-mail with a link to confirm ${address} is on its way: follow the link, then you can submit papers and comment. You can upvote right away. If nothing has come in a few minutes (look in the spam folder too), use "Send the confirmation link again" in your settings.`} link={{ href: '/settings', label: 'Go to settings' }} />);
  });
  // The e-mailed link opens a page that asks; the POST confirms (mail scanners that fetch links must not confirm anything).
  app.get('/account/verify', async (c) => {
    const token = c.req.query('token');
    const pending = await pendingConfirmation(accounts, token);
    c.header('Cache-Control', 'no-store'); // shows the address and carries the token
    return web.html(c, <VerifyPage site={await web.site(c)} csrf={csrfToken(c, auth)} token={token!} pending={pending} />);
  });
  app.post('/account/verify', async (c) => {
    const f = await form(c);
    const user = await verifyEmail(accounts, f.token);
    c.header('Cache-Control', 'no-store'); // shows the address, often to a browser that is not signed in
    return web.html(c, <NoticePage site={await web.site(c)} title="Address confirmed" message={`Thank you, ${user.username}: ${user.email} is confirmed.`} link={c.get('user') ? { href: '/', label: "See today's papers" } : { href: '/signin', label: 'Sign in' }} />);
  });
  app.post('/account/verify/resend', async (c) => {
    await form(c);
    await resendVerification(accounts, requireUser(c));
    return web.html(c, <NoticePage site={await web.site(c)} title="Link sent" message="We have sent a new confirmation link." link={{ href: '/settings', label: 'Back to settings' }} />);
  });

  app.get('/signin', async (c) => {
    const next = safeNext(c.req.query('next'));
    if (c.get('user')) return c.redirect(next, 303);
    return web.html(c, <SignInPage site={await web.site(c)} csrf={csrfToken(c, auth)} next={next} />);
  });
  app.post('/signin', async (c) => {
    const f = await form(c);
    const next = safeNext(f.next);
    try {
      const login = typeof f.login === 'string' ? f.login : '';
      const session = await signIn(accounts, {
        login: f.login, password: f.password, ip: ip(c), previousToken: getCookie(c, SESSION_COOKIE) ?? null, knownDevice: knownDevice(c, auth, login),
      });
      setSessionCookie(c, auth, session.token);
      rememberDevice(c, auth, login, session.passwordStamp);
      return c.redirect(next, 303);
    } catch (err) {
      shownAgain(c, err);
      c.header('Cache-Control', 'no-store'); // shows the username or address typed
      return web.html(c, <SignInPage site={await web.site(c)} csrf={csrfToken(c, auth)} next={next} error={err.message} login={f.login?.slice(0, 254)} />, err.status);
    }
  });
  app.post('/signout', async (c) => {
    await form(c);
    await signOut(store, getCookie(c, SESSION_COOKIE));
    clearSessionCookie(c);
    // Tells the browser to drop what it kept of this site (its back/forward cache too), so Back
    // does not bring a member's page back on a shared computer.
    c.header('Clear-Site-Data', '"cache"');
    return c.redirect('/', 303);
  });

  app.get('/account/forgot', async (c) => web.html(c, <ForgotPage site={await web.site(c)} csrf={csrfToken(c, auth)} />));
  app.post('/account/forgot', async (c) => {
    const f = await form(c);
    try {
      await requestPasswordReset(accounts, { email: f.email, ip: ip(c) });
      return web.html(c, <ForgotPage site={await web.site(c)} csrf={csrfToken(c, auth)} sent />);
    } catch (err) {
      shownAgain(c, err);
      c.header('Cache-Control', 'no-store'); // shows the address typed
      return web.html(c, <ForgotPage site={await web.site(c)} csrf={csrfToken(c, auth)} error={err.message} email={f.email?.slice(0, 254)} />, err.status);
    }
  });
  // A link that was used or expired says so at once, with a way to ask for a new one.
  const deadResetLink = async (c: Context<AppEnv>, err: UserError) =>
    web.html(c, <ResetPage site={await web.site(c)} csrf={csrfToken(c, auth)} token="" dead={err.message} />, 400);
  app.get('/account/reset', async (c) => {
    const token = c.req.query('token') ?? '';
    c.header('Cache-Control', 'no-store'); // carries the reset token
    try {
      await checkResetLink(accounts, token);
    } catch (err) {
      if (err instanceof UserError && err.status === 400) return deadResetLink(c, err);
      throw err;
    }
    return web.html(c, <ResetPage site={await web.site(c)} csrf={csrfToken(c, auth)} token={token} />);
  });
  app.post('/account/reset', async (c) => {
    const f = await form(c);
    try {
      const user = await resetPassword(accounts, { token: f.token, password: f.password });
      const session = await createSession(accounts, user); // the link proved the address: no sign-in limits in the way
      setSessionCookie(c, auth, session.token);
      return c.redirect('/settings?notice=password', 303);
    } catch (err) {
      shownAgain(c, err);
      c.header('Cache-Control', 'no-store'); // carries the reset token
      if (err.status === 400) return deadResetLink(c, err);
      return web.html(c, <ResetPage site={await web.site(c)} csrf={csrfToken(c, auth)} token={f.token ?? ''} error={err.message} />, err.status);
    }
  });

  const NOTICES: Record<string, string> = {
    password: 'Your password is changed.', email: 'We have sent a confirmation link to your new address; it changes when you follow it.', privacy: 'Saved.',
  };
  app.get('/settings', async (c) => {
    const user = requireUser(c);
    c.header('Cache-Control', 'no-store'); // shows the account's address
    return web.html(c, <SettingsPage site={await web.site(c)} user={await shownAddress(store, user)} notice={ownEntry(NOTICES, c.req.query('notice')) ?? null} />);
  });
  /** A settings form's post; a refusal comes back in that form, with what was typed there (passwords never). */
  const settingsAction = (path: string, name: SettingsFailure['form'], run: (c: Context<AppEnv>, f: Form) => Promise<string>) => {
    app.post(path, async (c) => {
      const f = await form(c);
      const user = requireUser(c);
      try {
        return c.redirect(await run(c, f), 303);
      } catch (err) {
        shownAgain(c, err);
        c.header('Cache-Control', 'no-store'); // shows the account's address, as /settings does
        const failed: SettingsFailure = { form: name, message: err.message, email: f.email?.slice(0, 254), confirm: f.confirm?.slice(0, 30) };
        return web.html(c, <SettingsPage site={await web.site(c)} user={await shownAddress(store, user)} failed={failed} />, err.status);
      }
    });
  };
  settingsAction('/settings/password', 'password', async (c, f) => {
    await changePassword(accounts, requireUser(c), { current: f.current, password: f.password, sessionToken: c.get('sessionToken')! });
    return '/settings?notice=password';
  });
  settingsAction('/settings/email', 'email', async (c, f) => {
    await requestEmailChange(accounts, requireUser(c), { current: f.current, email: f.email });
    return '/settings?notice=email';
  });
  settingsAction('/settings/privacy', 'privacy', async (c, f) => {
    await updateUser(store.db, requireUser(c).id, { votes_public: f.votes_public === '1' ? 1 : 0 });
    return '/settings?notice=privacy';
  });
  settingsAction('/settings/delete', 'delete', async (c, f) => {
    await deleteAccount(accounts, requireUser(c), { current: f.current, confirm: f.confirm });
    clearSessionCookie(c);
    setFarewellCookie(c, auth);
    c.header('Clear-Site-Data', '"cache"'); // signed out: as for "Sign out", Back must not show the member's pages
    return '/account/deleted';
  });
  // Where deleting an account ends: a page of its own with fixed words (nothing from the request),
  // shown once, to the browser that deleted it; anyone else (a link in a message, a member) goes home.
  app.get('/account/deleted', async (c) => {
    if (c.get('user') || !takeFarewellCookie(c)) return c.redirect('/', 303);
    return web.html(c, <NoticePage site={await web.site(c)} title="Account deleted"
      message={'Your account is deleted, and you are signed out. Its votes and collections are gone; its comments stay in their threads as from "a deleted account".'}
      link={{ href: '/', label: "See today's papers" }} />);
  });

  // Profiles and collections

  app.get('/users/:name', async (c) => {
    const profile = await findUserByName(store.db, c.req.param('name').slice(0, 40));
    if (!profile) return web.errorPage(c, 404, 'There is no member by that name.');
    const viewer = c.get('user');
    const isMe = viewer?.id === profile.id;
    const showVotes = isMe || profile.votesPublic;
    const [submittedIds, votedIds, comments, collections] = await Promise.all([
      // A paper curators hid is off the lists: its submitter and curators still see it here.
      listSubmittedPaperIds(store.db, profile.id, PROFILE_LIST, isMe || viewer?.role === 'curator' || viewer?.role === 'admin'),
      showVotes ? listVotedPaperIds(store.db, profile.id, PROFILE_LIST) : Promise.resolve(null),
      listUserComments(store.db, profile.id, PROFILE_LIST),
      listUserCollections(store.db, profile.id, !isMe),
    ]);
    const [submitted, upvoted] = await Promise.all([listCardsByIds(store.db, submittedIds), votedIds ? listCardsByIds(store.db, votedIds) : Promise.resolve(null)]);
    const voted = viewer ? await votedAmong(store.db, viewer.id, [...submittedIds, ...(votedIds ?? [])]) : new Set<string>();
    return web.html(c, <ProfilePage site={await web.site(c)} profile={profile} submitted={submitted} upvoted={upvoted} comments={comments} collections={collections} nowMs={now()} voted={voted} />);
  });
  app.post('/users/:name/admin', async (c) => {
    const f = await form(c);
    const target = await administerUser(community, c.get('user'), c.req.param('name').slice(0, 40), { action: f.action, role: f.role });
    return back(c, f, `/users/${target.username}`);
  });

  app.get('/users/:name/collections/:slug', async (c) => {
    const owner = await findUserByName(store.db, c.req.param('name').slice(0, 40));
    const collection = owner ? await findCollection(store.db, owner.id, c.req.param('slug').slice(0, 80)) : null;
    const viewer = c.get('user');
    if (!collection || (!collection.isPublic && viewer?.id !== collection.userId)) return web.errorPage(c, 404, 'There is no such collection (or it is private).');
    const ids = await collectionPaperIds(store.db, collection.id, 500, 0);
    const [cards, voted] = await Promise.all([listCardsByIds(store.db, ids), viewer ? votedAmong(store.db, viewer.id, ids) : Promise.resolve(new Set<string>())]);
    return web.html(c, <CollectionPage site={await web.site(c)} collection={collection} cards={cards} nowMs={now()} voted={voted} />);
  });
  app.get('/collections', async (c) => {
    const user = requireUser(c);
    return web.html(c, <CollectionsPage site={await web.site(c)} collections={await listUserCollections(store.db, user.id, false)} deleted={c.req.query('deleted') === '1'} />);
  });
  // "New collection", or "Create and save" from a paper's Save page (`paper`): all of it or nothing.
  app.post('/collections', async (c) => {
    const f = await form(c);
    const user = requireUser(c);
    const paperId = f.paper ? parseArxivId(f.paper)?.id : undefined;
    try {
      if (f.paper && !paperId) throw new UserError(400, 'That is not a paper.');
      const made = await createCollection(community, user, { name: f.name, isPublic: f.public, paperId });
      const from = f.from ? safeNext(f.from, '') : '';
      return c.redirect(paperId ? `${savePath(paperId, from)}&done=added&collection=${made.id}#${SAVED_ANCHOR}` : '/collections', 303);
    } catch (err) {
      shownAgain(c, err);
      const failed: CollectionFailure = { id: null, message: err.message, name: (f.name ?? '').slice(0, 80), isPublic: f.public !== undefined };
      // Back to the Save page it came from while its paper is there; otherwise to the collections page.
      const paper = paperId ? await store.findPaperById(paperId) : null;
      if (paper) {
        const [collections, holding] = await Promise.all([listUserCollections(store.db, user.id, false), collectionsHolding(store.db, user.id, paper.id)]);
        return web.html(c, <SavePage site={await web.site(c)} paper={paper} collections={collections} holding={holding} failed={failed} from={f.from ? safeNext(f.from, '') || null : null} />, err.status);
      }
      return web.html(c, <CollectionsPage site={await web.site(c)} collections={await listUserCollections(store.db, user.id, false)} failed={failed} />, err.status);
    }
  });
  app.post('/collections/:id', async (c) => {
    const f = await form(c);
    const user = requireUser(c);
    try {
      // The form's checkbox is absent when unticked: then the collection is private.
      const saved = await editCollection(community, user, Number(c.req.param('id')), { name: f.name, isPublic: f.public ?? '0' });
      return c.redirect(`/collections#collection-${saved.id}`, 303);
    } catch (err) {
      if (!(err instanceof UserError) || err.status !== 422) throw err;
      const failed: CollectionFailure = { id: Number(c.req.param('id')), message: err.message, name: (f.name ?? '').slice(0, 80), isPublic: f.public !== undefined };
      return web.html(c, <CollectionsPage site={await web.site(c)} collections={await listUserCollections(store.db, user.id, false)} failed={failed} />, err.status);
    }
  });
  // Deleting asks first, on a page of its own; the post deletes and comes back with a notice.
  app.get('/collections/:id/delete', async (c) => {
    const collection = await ownCollection(community, requireUser(c), Number(c.req.param('id')));
    return web.html(c, <ConfirmDeleteCollectionPage site={await web.site(c)} collection={collection} />);
  });
  app.post('/collections/:id/delete', async (c) => {
    await form(c);
    await dropCollection(community, c.get('user'), Number(c.req.param('id')));
    return c.redirect('/collections?deleted=1', 303);
  });
  app.get('/collections/save', async (c) => {
    const user = requireUser(c);
    const id = parseArxivId(c.req.query('paper') ?? '')?.id;
    const paper = id ? await store.findPaperById(id) : null;
    if (!paper) return web.errorPage(c, 404, 'There is no such paper.');
    const [collections, holding] = await Promise.all([listUserCollections(store.db, user.id, false), collectionsHolding(store.db, user.id, paper.id)]);
    // "Saved to X" only for what the page can confirm: a collection of this member's that holds the paper (or not, after a removal).
    const doneIn = collections.find((x) => String(x.id) === c.req.query('collection'));
    const added = c.req.query('done') === 'added';
    const done = doneIn && ['added', 'removed'].includes(c.req.query('done') ?? '') && holding.has(doneIn.id) === added ? { added, collection: doneIn.name } : null;
    const from = safeNext(c.req.query('from'), '') || null;
    return web.html(c, <SavePage site={await web.site(c)} paper={paper} collections={collections} holding={holding} from={from} done={done} />);
  });
  app.post('/actions/save', async (c) => {
    const f = await form(c);
    const paperId = parseArxivId(f.paper ?? '')?.id;
    if (!paperId) throw new UserError(400, 'That is not a paper.');
    await changeCollection(community, c.get('user'), { collectionId: Number(f.collection), paperId, action: f.action });
    return wantsJson(c) ? c.json({ ok: true }) : back(c, f, `/collections/save?paper=${encodeURIComponent(paperId)}`);
  });

  // Votes, submissions, comments

  app.post('/actions/vote', async (c) => {
    const f = await form(c);
    const paperId = parseArxivId(f.paper ?? '')?.id;
    if (!paperId) throw new UserError(400, 'That is not a paper.');
    const result = await vote(community, c.get('user'), paperId, f.want !== '0', ip(c));
    return wantsJson(c) ? c.json(result) : back(c, f, `/papers/${paperId}`);
  });

  app.get('/submit', async (c) => {
    requireUser(c);
    return web.html(c, <SubmitPage site={await web.site(c)} quota={config.submitQuota} values={{ id: c.req.query('id')?.slice(0, 200) ?? '' }} />);
  });
  app.post('/submit', async (c) => {
    const f = await form(c);
    try {
      const r = await submitPaper(community, c.get('user'), { id: f.id, codeUrl: f.code, projectUrl: f.project });
      return c.redirect(`/papers/${r.paperId}?submitted=1`, 303);
    } catch (err) {
      if (err instanceof UserError && err.status === 401) throw err;
      shownAgain(c, err);
      return web.html(c, <SubmitPage site={await web.site(c)} quota={config.submitQuota} error={err.message} values={{ id: f.id?.slice(0, 200), code: f.code?.slice(0, 500), project: f.project?.slice(0, 500) }} />, err.status);
    }
  });

  app.post('/actions/comment', async (c) => {
    const f = await form(c);
    const paperId = parseArxivId(f.paper ?? '')?.id;
    if (!paperId) throw new UserError(400, 'That is not a paper.');
    try {
      const id = await addComment(community, c.get('user'), { paperId, body: f.body, parentId: f.parent }, ip(c));
      return c.redirect(commentPath(paperId, id), 303);
    } catch (err) {
      if (err instanceof UserError && (err.status === 401 || err.status === 404)) throw err;
      shownAgain(c, err);
      const parentId = f.parent ? Number(f.parent) : null; // the reply form under it comes back open, with the draft
      return web.paperPage(c, paperId, { commentError: { message: err.message, draft: (f.body ?? '').slice(0, 10_000), parentId: Number.isSafeInteger(parentId) ? parentId : null } }, err.status);
    }
  });
  app.get('/comments/:id/edit', async (c) => {
    const comment = await ownComment(community, requireUser(c), Number(c.req.param('id')));
    return web.html(c, <EditCommentPage site={await web.site(c)} comment={comment} />);
  });
  app.post('/comments/:id/edit', async (c) => {
    const f = await form(c);
    const id = Number(c.req.param('id'));
    try {
      const paperId = await updateComment(community, c.get('user'), id, f.body);
      return c.redirect(commentPath(paperId, id), 303);
    } catch (err) {
      // A refused text, a comment changed meanwhile (409) or too many edits (429): the form comes back with what was written.
      if (!(err instanceof UserError) || (err.status !== 422 && err.status !== 409 && err.status !== 429)) throw err;
      shownAgain(c, err);
      const comment = await findComment(store.db, id);
      return web.html(c, <EditCommentPage site={await web.site(c)} comment={{ id, paperId: comment!.paperId, body: (f.body ?? '').slice(0, 10_000) }} error={err.message} />, err.status);
    }
  });
  app.get('/comments/:id/delete', async (c) => {
    const comment = await ownComment(community, requireUser(c), Number(c.req.param('id')));
    const paper = await store.findPaperById(comment.paperId);
    return web.html(c, <ConfirmDeleteCommentPage site={await web.site(c)} comment={comment} paperTitle={paper?.title ?? `arXiv:${comment.paperId}`} />);
  });
  app.post('/comments/:id/delete', async (c) => {
    await form(c);
    const id = Number(c.req.param('id'));
    const paperId = await removeComment(community, c.get('user'), id);
    // Back to the page of the discussion that held it (it keeps its place, as "[comment deleted]").
    return c.redirect(`/papers/${paperId}?deleted=comment&comment=${id}#comments`, 303);
  });
  app.post('/comments/:id/vote', async (c) => {
    const f = await form(c);
    const id = Number(c.req.param('id'));
    const paperId = await voteComment(community, c.get('user'), id, f.want !== '0');
    // Back to the comment in the order the discussion was read in (the form says which, when not the default).
    const order = f.comments === 'newest' || f.comments === 'top' ? f.comments : 'oldest';
    return c.redirect(commentPath(paperId, id, order), 303);
  });
  app.post('/comments/:id/report', async (c) => {
    const f = await form(c);
    const paperId = await flagComment(community, c.get('user'), Number(c.req.param('id')), f.reason);
    return web.html(c, <NoticePage site={await web.site(c)} title="Thank you" message="A moderator will look at the comment." link={{ href: `/papers/${paperId}#comments`, label: 'Back to the discussion' }} />);
  });
  app.post('/comments/:id/moderate', async (c) => {
    const f = await form(c);
    const id = Number(c.req.param('id'));
    const paperId = await moderateComment(community, c.get('user'), id, f.action);
    return back(c, f, commentPath(paperId, id));
  });

  // Curators

  app.post('/actions/curate', async (c) => {
    const f = await form(c);
    const paperId = parseArxivId(f.paper ?? '')?.id;
    if (!paperId) throw new UserError(400, 'That is not a paper.');
    await curate(community, c.get('user'), paperId, f.action);
    return back(c, f, `/papers/${paperId}`);
  });
  app.post('/actions/links', async (c) => {
    const f = await form(c);
    const paperId = parseArxivId(f.paper ?? '')?.id;
    if (!paperId) throw new UserError(400, 'That is not a paper.');
    try {
      await setLinks(community, c.get('user'), paperId, { codeUrl: f.code, projectUrl: f.project });
      return c.redirect(`/papers/${paperId}`, 303);
    } catch (err) {
      // A link refused (not http or https, not a URL): the paper page, its links form open with what was typed.
      if (!(err instanceof UserError) || err.status !== 422) throw err;
      return web.paperPage(c, paperId, { linksError: { message: err.message, code: (f.code ?? '').slice(0, 2000), project: (f.project ?? '').slice(0, 2000) } }, err.status);
    }
  });

  // Admin pages (the /admin/* guard in app.tsx lets only admins through)

  app.get('/admin/moderation', async (c) => {
    const at = parseModerationCursors((name) => c.req.query(name)); // a cursor this page did not make is a 400
    const [reported, comments, papers, accounts] = await Promise.all([
      readKeysetPage((toward, key, limit) => listReportedComments(store.db, toward, key, limit), (r) => [r.reports, r.id], () => countReportedComments(store.db), at.reported, MODERATION_PAGE),
      readKeysetPage((toward, key, limit) => listHiddenComments(store.db, toward, key, limit), (r) => [r.hiddenAt!, r.id], () => countHiddenComments(store.db), at.comments, MODERATION_PAGE),
      readKeysetPage((toward, key, limit) => listHiddenPapers(store.db, toward, key, limit), (r) => [r.day, r.id], () => countHiddenPapers(store.db), at.papers, MODERATION_PAGE),
      readKeysetPage((toward, key, limit) => listSuspendedAccounts(store.db, toward, key, limit), (r) => [r.suspendedAt, r.username], () => countSuspendedAccounts(store.db), at.accounts, MODERATION_PAGE),
    ]);
    return web.html(c, <ModerationPage site={await web.site(c)} nowMs={now()} self={moderationHref(at)}
      reported={{ ...reported, links: pagerLinks(at, 'reported', reported, REPORTED_ANCHOR) }}
      hiddenComments={{ ...comments, links: pagerLinks(at, 'comments', comments, HIDDEN_COMMENTS_ANCHOR) }}
      hiddenPapers={{ ...papers, links: pagerLinks(at, 'papers', papers, HIDDEN_PAPERS_ANCHOR) }}
      suspended={{ ...accounts, links: pagerLinks(at, 'accounts', accounts, SUSPENDED_ANCHOR) }} />);
  });
  app.get('/admin/outbox', async (c) => {
    // Any admin sees this page; the links in the mail act for their recipients (a reset link takes
    // over the account), so their secrets are masked here. The files keep them, for the operator.
    const messages = (await readOutbox(config.outboxDir, 50)).map((m) => ({ ...m, subject: maskLinkSecrets(m.subject), text: maskLinkSecrets(m.text) }));
    return web.html(c, <OutboxPage site={await web.site(c)} messages={messages} />);
  });
}
