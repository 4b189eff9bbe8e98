/**
 * The ops console under /dashboard: server-rendered pages (no front-end build), for staff.
 *
 *   /                  today / overnight: what came in since the office closed, unstaffed shifts soon
 *   /campaigns/:id     one call-out's campaign: waves, ranking, replies, claim, WellSky, texts; actions
 *   /cases             complaints and leads with their follow-up; acknowledge, assign, resolve
 *   /conversations     search by masked phone or name; /conversations/:id the transcript
 *   /metrics           fill metrics over 7 and 30 days, per-caregiver reply stats, chart
 *   /failures          dead-lettered jobs (retry), directory sync, WellSky and Twilio
 *   /activity          every action taken here, with who
 *   /events            server-sent events: the today page reloads on a call-out, claim or complaint
 *
 * Access: staff log in with a password (hash in the agency config) or a one-time link texted to
 * their phone; `admin` with ADMIN_PASSWORD (also as HTTP basic auth). Signed-cookie sessions, a
 * CSRF token on every form, `Cache-Control: no-store`, failed logins rate-limited, every action
 * recorded with who did it. Without ADMIN_PASSWORD in dev mode (nothing live configured) the console
 * is open (as admin).
 */
import express, { type Request, type Response, type Router } from 'express';
import { randomUUID } from 'node:crypto';
import { moduleLog } from '../log';
import { FOLLOW_UP_STATUSES, type FollowUpStatus } from '../complaints/console';
import {
  basicAdmin, checkPassword, createLoginLimiter, createLoginLinks, createSessions, findStaff, LOGIN_LINK_MINUTES, type Session,
} from './auth';
import { createAudit } from './audit';
import { bare, csrfField, esc, html, layout, raw, type Html } from './html';
import {
  activityPage, campaignPage, casesPage, conversationsPage, createConsoleData, failuresPage, metricsPage, todayPage, transcriptPage, type ConsoleServices,
} from './pages';

const log = moduleLog('dashboard');

export interface DashboardOptions {
  /** How often the live-update stream looks for news (ms). */
  livePollMs?: number;
}

interface Authed {
  session: Session & { user: string; flash?: { ok: boolean; message: string } };
}

export function createDashboardRouter(s: ConsoleServices, opts: DashboardOptions = {}): Router {
  const router = express.Router();
  const { config, clock } = s;
  const agencyName = config.agency.agency.name;
  const sessions = createSessions(config, clock);
  const limiter = createLoginLimiter(clock);
  const links = createLoginLinks(s.db, clock);
  const audit = createAudit(s.db, clock);
  const data = createConsoleData(s);
  // Open (as admin) only in dev mode: nothing live configured and no ADMIN_PASSWORD (src/config.ts Safety).
  const open = !config.adminPassword && config.safety.mode === 'dev';
  const livePollMs = opts.livePollMs ?? 2000;

  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // Login links carry a token in the path: never leak it to another site.
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Content-Security-Policy', "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'");
    next();
  });
  router.use(express.urlencoded({ extended: false, limit: '32kb' }));

  /** The session cookie's session, or a fresh anonymous one (written to the response). */
  function anySession(req: Request, res: Response): Session {
    const existing = sessions.read(req);
    if (existing) return existing;
    const fresh = sessions.start();
    sessions.write(res, fresh);
    return fresh;
  }

  function csrfOk(req: Request, session: Session | undefined): boolean {
    return sessions.csrfValid(session, (req.body as Record<string, unknown> | undefined)?._csrf);
  }

  const ipOf = (req: Request) => `ip:${req.ip ?? 'unknown'}`;

  // ── Login ────────────────────────────────────────────────────────────────────────────────

  function loginPage(session: Session, message?: { ok: boolean; text: string }): string {
    const csrf = sessions.csrfToken(session);
    return bare('Log in', agencyName, html`<div class="login"><h1>${agencyName} · ops console</h1>
${message ? html`<div class="flash ${message.ok ? 'ok' : 'err'}" role="status">${message.text}</div>` : ''}
<form method="post" action="/dashboard/login">${raw(csrfField(csrf))}
<label for="who">Name or phone</label><input id="who" name="who" type="text" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button>Log in</button></form>
<hr><form method="post" action="/dashboard/login/link">${raw(csrfField(csrf))}
<label for="phone">No password? Get a one-time link by text</label><input id="phone" name="phone" type="text" placeholder="your staff phone" autocomplete="tel">
<button class="secondary">Text me a login link</button></form></div>`);
  }

  router.get('/login', (req, res) => {
    const session = anySession(req, res);
    if (session.user) return res.redirect(303, '/dashboard/');
    res.type('html').send(loginPage(session));
  });

  function signIn(res: Response, user: string, how: string, req: Request): Promise<void> {
    const session = sessions.start(user);
    sessions.write(res, session);
    log.info('console login', { how });
    return audit.record({ actor: user, action: `login (${how})`, targetKind: 'session', detail: { ip: req.ip } });
  }

  router.post('/login', async (req, res) => {
    const session = sessions.read(req);
    if (!csrfOk(req, session)) return void res.status(403).type('html').send(loginPage(anySession(req, res), { ok: false, text: 'The form expired; please try again.' }));
    const who = String(req.body.who ?? '').slice(0, 100);
    const keys = [ipOf(req), `who:${who.trim().toLowerCase()}`];
    const wait = limiter.blockedFor(keys);
    if (wait) {
      res.setHeader('Retry-After', String(wait));
      return void res.status(429).type('html').send(loginPage(session!, { ok: false, text: `Too many failed attempts. Try again in ${Math.ceil(wait / 60)} minutes.` }));
    }
    const user = checkPassword(config, who, String(req.body.password ?? ''));
    if (!user) {
      limiter.fail(keys);
      return void res.status(401).type('html').send(loginPage(session!, { ok: false, text: 'That name and password do not match.' }));
    }
    limiter.succeed(keys);
    await signIn(res, user, 'password', req);
    res.redirect(303, '/dashboard/');
  });

  router.post('/login/link', async (req, res) => {
    const session = sessions.read(req);
    if (!csrfOk(req, session)) return void res.status(403).type('html').send(loginPage(anySession(req, res), { ok: false, text: 'The form expired; please try again.' }));
    const keys = [ipOf(req)];
    const wait = limiter.blockedFor(keys);
    if (wait) {
      res.setHeader('Retry-After', String(wait));
      return void res.status(429).type('html').send(loginPage(session!, { ok: false, text: `Too many attempts. Try again in ${Math.ceil(wait / 60)} minutes.` }));
    }
    // Counted like a failure either way: the link form cannot be used to probe numbers fast.
    limiter.fail(keys);
    const person = findStaff(config.agency.staff, String(req.body.phone ?? '').slice(0, 40));
    if (person) {
      const token = await links.issue(person.phone);
      await s.outbox.send({
        to: person.phone, purpose: 'login_link', audience: 'staff', idempotencyKey: `console-login:${randomUUID()}`, meta: {},
        body: `${agencyName}: your ops console login link (one use, ${LOGIN_LINK_MINUTES} min): ${config.publicBaseUrl}/dashboard/login/link/${token}`,
      });
      s.runner.poke();
      await audit.record({ actor: person.name, action: 'login link requested', targetKind: 'session' });
    }
    res.type('html').send(loginPage(session!, { ok: true, text: 'If that number belongs to our staff, a login link is on its way by text.' }));
  });

  // A GET only shows a button: link previews in messaging apps must not use up the link.
  router.get('/login/link/:token', async (req, res) => {
    const session = anySession(req, res);
    const ok = await links.valid(String(req.params.token));
    res.status(ok ? 200 : 410).type('html').send(bare('Log in', agencyName, ok
      ? html`<div class="login"><h1>${agencyName} · ops console</h1><form method="post">${raw(csrfField(sessions.csrfToken(session)))}<button>Log in</button></form></div>`
      : html`<div class="login"><h1>Link expired</h1><p>This login link was used already or has expired. <a href="/dashboard/login">Get a new one</a>.</p></div>`));
  });

  router.post('/login/link/:token', async (req, res) => {
    if (!csrfOk(req, sessions.read(req))) return void res.status(403).type('html').send(loginPage(anySession(req, res), { ok: false, text: 'The form expired; please try again.' }));
    const phone = await links.consume(String(req.params.token));
    const person = phone ? config.agency.staff.find((p) => p.phone === phone) : undefined;
    if (!person) return void res.status(410).type('html').send(loginPage(anySession(req, res), { ok: false, text: 'This login link was used already or has expired.' }));
    await signIn(res, person.name, 'texted link', req);
    res.redirect(303, '/dashboard/');
  });

  // ── Everything else needs a signed-in user ───────────────────────────────────────────────

  router.use((req, res, next) => {
    let session = sessions.read(req);
    if (!session?.user && (basicAdmin(config, req) || open)) {
      session = sessions.start('admin');
      sessions.write(res, session);
    }
    if (!session?.user) {
      if (req.header('authorization')) res.setHeader('WWW-Authenticate', 'Basic realm="front door console"');
      if (req.method === 'GET' && !req.header('authorization') && req.accepts('html')) return res.redirect(303, '/dashboard/login');
      return res.status(401).send('Authentication required');
    }
    (res.locals as Authed).session = session as Authed['session'];
    if (req.method === 'POST' && !csrfOk(req, session)) return res.status(403).type('html').send('Refused: the form is missing its security token (CSRF). Reload the page and try again.');
    next();
  });

  const who = (res: Response) => (res.locals as Authed).session.user;

  function send(res: Response, active: string, title: string, body: Html, script?: string): void {
    const session = (res.locals as Authed).session;
    const flash = session.flash;
    if (flash) {
      const { flash: _drop, ...rest } = session;
      void _drop;
      sessions.write(res, rest);
    }
    res.type('html').send(layout({ title, agencyName, user: session.user, csrf: sessions.csrfToken(session), active, flash, script }, body));
  }

  /** After an action: the result shown once on the next page. */
  function done(res: Response, to: string, result: { ok: boolean; message: string }): void {
    sessions.write(res, { ...(res.locals as Authed).session, flash: result } as Session);
    res.redirect(303, to);
  }

  const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: (err?: unknown) => void) => fn(req, res).catch(next);

  router.post('/logout', wrap(async (_req, res) => {
    await audit.record({ actor: who(res), action: 'logout', targetKind: 'session' });
    sessions.clear(res);
    res.redirect(303, '/dashboard/login');
  }));

  const LIVE_SCRIPT = `(function(){var el=document.getElementById('live');if(!window.EventSource)return;var es=new EventSource('/dashboard/events');
es.addEventListener('change',function(){if(el)el.textContent='updating…';location.reload();});es.onopen=function(){if(el)el.textContent='live';};es.onerror=function(){if(el)el.textContent='reconnecting…';};})();`;

  router.get('/', wrap(async (_req, res) => send(res, 'today', 'Today', await todayPage(s, data), LIVE_SCRIPT)));

  router.get('/events', wrap(async (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    const look = async () => `${await data.shiftFill.latestChange()}|${await data.complaints.latestId()}`;
    let last = await look();
    res.write(`retry: 3000\nevent: hello\ndata: {}\n\n`);
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      look().then((now) => {
        if (now !== last) {
          last = now;
          res.write(`event: change\ndata: ${JSON.stringify({ at: clock.now().toISOString() })}\n\n`);
        } else res.write(': ping\n\n');
      }, () => undefined).finally(() => (busy = false));
    }, livePollMs);
    req.on('close', () => clearInterval(timer));
  }));

  // ── Campaigns ────────────────────────────────────────────────────────────────────────────

  router.get('/campaigns/:id', wrap(async (req, res) => {
    const detail = await data.shiftFill.campaignDetail(Number(req.params.id) || 0);
    if (!detail) return void res.status(404).type('html').send('No such campaign');
    send(res, 'today', `Campaign ${detail.campaign.id}`, await campaignPage(s, data, detail, sessions.csrfToken((res.locals as Authed).session)));
  }));

  router.post('/campaigns/:id/:action', wrap(async (req, res) => {
    const id = Number(req.params.id) || 0;
    const note = String(req.body.note ?? '').trim().slice(0, 500) || undefined;
    const caregiverId = String(req.body.caregiverId ?? '').trim().slice(0, 40);
    const by = who(res);
    const fill = data.shiftFill;
    const actions: Record<string, () => Promise<{ ok: boolean; message: string }>> = {
      stop: () => fill.stopCampaign(id, by, note),
      offer: () => (caregiverId ? fill.offerToOneMore(id, caregiverId, by) : Promise.resolve({ ok: false, message: 'Choose a caregiver.' })),
      assign: () => (caregiverId ? fill.assignByHand(id, caregiverId, by, note) : Promise.resolve({ ok: false, message: 'Choose a caregiver.' })),
      'filled-outside': () => fill.markFilledOutside(id, by, note),
    };
    const run = actions[String(req.params.action)];
    if (!run) return void res.status(404).send('No such action');
    const result = await run();
    await audit.record({ actor: by, action: `campaign ${req.params.action}${result.ok ? '' : ' (refused)'}`, targetKind: 'campaign', targetId: id, note: [note, result.message].filter(Boolean).join(' — '), detail: caregiverId ? { caregiverId } : {} });
    done(res, `/dashboard/campaigns/${id}`, result);
  }));

  // ── Complaints and leads ─────────────────────────────────────────────────────────────────

  router.get('/cases', wrap(async (req, res) => send(res, 'cases', 'Complaints and leads', await casesPage(s, data, sessions.csrfToken((res.locals as Authed).session), String(req.query.show ?? '')))));

  const STATUS_OF: Record<string, FollowUpStatus | undefined> = { acknowledge: 'acknowledged', called_back: 'called_back', resolve: 'resolved', assign: undefined };
  const setStatus = (kind: 'complaints' | 'leads') => wrap(async (req, res) => {
    const id = Number(req.params.id) || 0;
    const action = String(req.body.do ?? '');
    if (!(action in STATUS_OF)) return void res.status(400).send('Unknown action');
    const status = STATUS_OF[action];
    const note = String(req.body.note ?? '').trim().slice(0, 1000) || undefined;
    const ownerName = String(req.body.owner ?? '').trim();
    const owner = ownerName ? config.agency.staff.find((p) => p.name === ownerName)?.name : undefined;
    if (action === 'assign' && !owner) return done(res, '/dashboard/cases', { ok: false, message: 'Choose who owns it.' });
    if (action === 'resolve' && !note) return done(res, `/dashboard/cases#${kind.slice(0, -1)}-${id}`, { ok: false, message: 'Resolving needs a note: what was done.' });
    if (status && !FOLLOW_UP_STATUSES.includes(status)) return void res.status(400).send('Unknown status');
    // Acknowledging something nobody owns makes you its owner.
    const change = { status, owner: owner ?? (action === 'acknowledge' ? who(res) : undefined), note };
    const changed = kind === 'complaints' ? await data.complaints.setStatus(id, change, who(res)) : await data.leads.setStatus(id, change, who(res));
    const ref = kind === 'complaints' ? `C-${id}` : `L-${id}`;
    await audit.record({ actor: who(res), action: `${kind.slice(0, -1)} ${action}`, targetKind: kind.slice(0, -1), targetId: id, note, detail: change.owner ? { owner: change.owner } : {} });
    done(res, `/dashboard/cases${status === 'resolved' ? '?show=all' : ''}#${kind.slice(0, -1)}-${id}`, changed
      ? { ok: true, message: `${ref}: ${action === 'assign' ? `assigned to ${owner}` : status!.replace('_', ' ')}.` }
      : { ok: false, message: `${ref} not found.` });
  });
  router.post('/complaints/:id/status', setStatus('complaints'));
  router.post('/leads/:id/status', setStatus('leads'));

  // ── Conversations, metrics, failures, activity ───────────────────────────────────────────

  router.get('/conversations', wrap(async (req, res) => send(res, 'conversations', 'Conversations', await conversationsPage(s, data, String(req.query.q ?? '').slice(0, 80)))));
  router.get('/conversations/:id', wrap(async (req, res) => {
    const page = await transcriptPage(s, data, String(req.params.id));
    if (!page) return void res.status(404).type('html').send('No such conversation');
    send(res, 'conversations', 'Transcript', page);
  }));
  router.get('/metrics', wrap(async (_req, res) => send(res, 'metrics', 'Fill metrics', await metricsPage(s, data))));
  router.get('/failures', wrap(async (_req, res) => send(res, 'failures', 'Failures', await failuresPage(s, data, sessions.csrfToken((res.locals as Authed).session)))));
  router.post('/jobs/:id/retry', wrap(async (req, res) => {
    const id = Number(req.params.id) || 0;
    const retried = await s.jobs.retryDead(id, who(res));
    if (retried) s.runner.poke();
    await audit.record({ actor: who(res), action: retried ? 'job retry' : 'job retry (not dead)', targetKind: 'job', targetId: id });
    done(res, '/dashboard/failures', retried ? { ok: true, message: `Job #${id} is back in the queue.` } : { ok: false, message: `Job #${id} is not dead-lettered (already retried?).` });
  }));
  router.get('/activity', wrap(async (_req, res) => send(res, 'activity', 'Activity', await activityPage(s, audit))));

  router.use((err: Error, _req: Request, res: Response, _next: (e?: unknown) => void) => {
    log.error('console page failed', { error: err.message });
    res.status(500).type('html').send(`<p>Something went wrong: ${esc(err.name)}. <a href="/dashboard/">Back</a></p>`);
  });

  return router;
}
