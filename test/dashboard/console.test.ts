/**
 * The ops console over HTTP (supertest): who gets in, CSRF refusal and no-store on every page,
 * and each page and action against a night of real call-outs, a complaint and a dead job.
 */
import request from 'supertest';
import { FIXTURE_PEOPLE } from '../../src/wellsky-sandbox';
import { describeEachDb } from '../support/db';
import type { Harness } from '../support/harness';
import {
  ADMIN_PASSWORD, CARE_MANAGER, CARE_MANAGER_PHONE, LINDA, overnight, startConsoleHarness, STAFF_PASSWORD, type Scenario,
} from '../support/console-scenario';

const csrfOf = (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';

describeEachDb('ops console', (ctx) => {
  let h: Harness;
  let night: Scenario;
  beforeAll(async () => {
    h = await startConsoleHarness(ctx.db);
    night = await overnight(h);
  }, 90_000);
  afterAll(async () => h?.close());

  async function loggedIn(who = 'admin', password = ADMIN_PASSWORD) {
    const agent = request.agent(h.base);
    const form = await agent.get('/dashboard/login');
    const res = await agent.post('/dashboard/login').type('form').send({ who, password, _csrf: csrfOf(form.text) });
    expect(res.status).toBe(303);
    const today = await agent.get('/dashboard/');
    return { agent, csrf: csrfOf(today.text), today };
  }

  it('sends visitors to the login page, refuses wrong passwords and forms without their token, and never lets pages be cached', async () => {
    const anon = await request(h.base).get('/dashboard/');
    expect(anon.status).toBe(303);
    expect(anon.headers.location).toBe('/dashboard/login');
    expect((await request(h.base).get('/dashboard/metrics').auth('admin', 'wrong')).status).toBe(401);

    const agent = request.agent(h.base);
    const form = await agent.get('/dashboard/login');
    expect(form.headers['cache-control']).toBe('no-store');
    expect((await agent.post('/dashboard/login').type('form').send({ who: 'admin', password: ADMIN_PASSWORD })).status).toBe(403);
    expect((await agent.post('/dashboard/login').type('form').send({ who: 'admin', password: 'nope', _csrf: csrfOf(form.text) })).status).toBe(401);

    const { agent: admin, csrf, today } = await loggedIn();
    expect(today.status).toBe(200);
    expect(today.text).toContain('Signed in as <b data-testid="user">admin</b>');
    for (const path of ['/dashboard/', `/dashboard/campaigns/${night.filledCampaignId}`, '/dashboard/cases', '/dashboard/conversations', '/dashboard/metrics', '/dashboard/failures', '/dashboard/activity']) {
      const page = await admin.get(path);
      expect([path, page.status]).toEqual([path, 200]);
      expect(page.headers['cache-control']).toBe('no-store');
    }
    // Every action refuses a request without the session's token.
    for (const path of [`/dashboard/campaigns/${night.openCampaignId}/stop`, `/dashboard/complaints/${night.complaintId}/status`, `/dashboard/jobs/${night.deadJobId}/retry`]) {
      expect((await admin.post(path).type('form').send({ do: 'acknowledge' })).status).toBe(403);
      expect((await admin.post(path).type('form').send({ do: 'acknowledge', _csrf: 'forged' })).status).toBe(403);
    }
    expect(csrf).not.toBe('');
    // Basic auth stays as the fallback for admin.
    expect((await request(h.base).get('/dashboard/failures').auth('admin', ADMIN_PASSWORD)).status).toBe(200);
  });

  it('lets staff log in with their password, and locks out after repeated failures', async () => {
    const { today } = await loggedIn(CARE_MANAGER, STAFF_PASSWORD);
    expect(today.text).toContain(`Signed in as <b data-testid="user">${CARE_MANAGER}</b>`);
    const agent = request.agent(h.base);
    const csrf = csrfOf((await agent.get('/dashboard/login')).text);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await agent.post('/dashboard/login').type('form').send({ who: 'Owner', password: `guess ${i}`, _csrf: csrf })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // Even the right password waits out the lockout.
    const locked = await agent.post('/dashboard/login').type('form').send({ who: 'Owner', password: 'whatever', _csrf: csrf });
    expect(locked.status).toBe(429);
    expect(locked.headers['retry-after']).toBeDefined();
    h.clock.advance(16 * 60_000);
    expect((await agent.post('/dashboard/login').type('form').send({ who: CARE_MANAGER, password: STAFF_PASSWORD, _csrf: csrf })).status).toBe(303);
  });

  it('texts a staff member a one-time login link that works once', async () => {
    const agent = request.agent(h.base);
    const csrf = csrfOf((await agent.get('/dashboard/login')).text);
    const asked = await agent.post('/dashboard/login/link').type('form').send({ phone: '(303) 555-0105', _csrf: csrf });
    expect(asked.text).toMatch(/a login link is on its way/);
    await h.runJobs();
    const text = h.textsTo(CARE_MANAGER_PHONE).find((t) => /login link/.test(t))!;
    const path = new URL(/(https?:\/\/\S+)/.exec(text)![1]).pathname;
    const confirm = await agent.get(path);
    expect(confirm.status).toBe(200);
    expect((await agent.post(path).type('form').send({ _csrf: csrfOf(confirm.text) })).status).toBe(303);
    expect((await agent.get('/dashboard/')).text).toContain(`Signed in as <b data-testid="user">${CARE_MANAGER}</b>`);
    const again = request.agent(h.base);
    const form = await again.get(path);
    expect(form.status).toBe(410);
    // A number that is not staff gets the same answer and no text.
    const before = h.transport.calls.length;
    await agent.post('/dashboard/logout').type('form').send({ _csrf: csrfOf((await agent.get('/dashboard/')).text) });
    const c2 = csrfOf((await agent.get('/dashboard/login')).text);
    expect((await agent.post('/dashboard/login/link').type('form').send({ phone: '+17205550199', _csrf: c2 })).text).toMatch(/a login link is on its way/);
    await h.runJobs();
    expect(h.transport.calls.length).toBe(before);
  });

  it('shows the night: the unstaffed shift starting soon on top, call-outs by state, the complaint, the failure', async () => {
    const { today } = await loggedIn();
    const page = today.text;
    const top = page.slice(page.indexOf('data-testid="unstaffed"'), page.indexOf('class="cards"'));
    expect(top).toMatch(/in 1 h|in 2 h/);
    expect(top).toContain('Carmen Ruiz');
    expect(top).toContain(`/dashboard/campaigns/${night.openCampaignId}`);
    expect(page).toMatch(/Since the office closed <span class="muted">\(Fri Feb 27, 5:00 PM\)/);
    expect(page).toMatch(/Dana Whitfield[\s\S]*I have the flu[\s\S]*filled/);
    expect(page).toContain('C-1');
    expect(page).toContain('laundry');
    expect(page).toMatch(/1 dead-lettered job/);
    // Phones are masked.
    expect(page).not.toContain(LINDA.slice(2));
    expect(page).toContain('***0131');
  });

  it('tells a filled campaign end to end: ranking, waves, the reply, the claim, the WellSky read-back, exact texts', async () => {
    const { agent } = await loggedIn();
    const page = (await agent.get(`/dashboard/campaigns/${night.filledCampaignId}`)).text;
    expect(page).toMatch(/Dana Whitfield<\/b> called out by phone: “I have the flu\.?”/);
    expect(page).toMatch(/Wave 1: offered to \d+ caregiver/);
    expect(page).toMatch(/said YES and got the shift after 4 min/);
    expect(page).toContain('written to WellSky and read back');
    expect(page).toMatch(/data-testid="wellsky-now">Shift <b>\d+<\/b>: [A-Z_]+, caregiver: (?!none)/);
    expect(page).toContain('worked for client');
    expect(page).toMatch(/open shift Tue Mar 3 9am-1pm/);
    expect(page).toMatch(/FILLED: .* took Tue Mar 3 9am-1pm with Harold Fischer/);
    expect(page).not.toContain(night.winnerPhone.slice(2));
    // Each text with its audience.
    expect(page).toMatch(/<td>broadcast<\/td><td>offer<\/td>/);
    expect(page).toMatch(/<td>assigned<\/td><td>shift_details<\/td>/);
    expect(page).toMatch(/<td>staff<\/td><td>staff_alert<\/td>/);
  });

  it('shows a text the privacy budget held back, with why, on its campaign page', async () => {
    const { agent } = await loggedIn();
    await h.services.outbox.send({
      to: '+17205550188', audience: 'broadcast', purpose: 'offer', idempotencyKey: 'offer:held-back:test', campaignId: night.openCampaignId,
      body: 'Open shift Tue 9am-1pm, Harold Fischer. Reply YES 4821 to take it.', facts: ['day', 'time', 'claimCode'],
      subject: { names: ['Harold Fischer'], streets: [], phones: [], conditions: [] },
    });
    const page = (await agent.get(`/dashboard/campaigns/${night.openCampaignId}`)).text;
    expect(page).toMatch(/held back<\/span> <span class="muted">it holds a name from the client&#39;s record<\/span>/);
  });

  it('assigns an unfilled shift by hand: WellSky shows the caregiver, the campaign is filled, the action is recorded with who', async () => {
    const { agent, csrf } = await loggedIn(CARE_MANAGER, STAFF_PASSWORD);
    const page = (await agent.get(`/dashboard/campaigns/${night.openCampaignId}`)).text;
    const choice = /name="caregiverId" aria-label="caregiver to assign"><option value="(\d+)"/.exec(page)![1];
    const res = await agent.post(`/dashboard/campaigns/${night.openCampaignId}/assign`).type('form').send({ caregiverId: choice, note: 'called her', _csrf: csrf });
    expect(res.status).toBe(303);
    const after = (await agent.get(`/dashboard/campaigns/${night.openCampaignId}`)).text;
    expect(after).toMatch(/booked in WellSky \(read back\)/);
    const shiftId = (await ctx.db.query<{ shift_id: string }>('SELECT shift_id FROM campaigns WHERE id = $1', [night.openCampaignId])).rows[0].shift_id;
    expect(h.sandbox.state.appointments.find((a) => a.id === shiftId)?.caregiver?.id).toBe(choice);
    await h.runJobs();
    expect(h.textsTo().some((t) => /Carmen Ruiz/.test(t))).toBe(true); // the details went to the caregiver
    const activity = (await agent.get('/dashboard/activity')).text;
    expect(activity).toMatch(new RegExp(`${CARE_MANAGER}</td><td>campaign assign</td><td>campaign ${night.openCampaignId}`));
    expect((await agent.get('/dashboard/')).text).toMatch(/Every shift starting in the next 12 hours has a caregiver/);
  });

  it('acknowledges, assigns and resolves a complaint (a note is required to resolve)', async () => {
    const { agent, csrf } = await loggedIn(CARE_MANAGER, STAFF_PASSWORD);
    const cases = (await agent.get('/dashboard/cases')).text;
    expect(cases).toMatch(/The caregiver keeps forgetting to do the laundry/);
    // Stamped on the product's clock (the night of the scenario), like every other event on the page.
    expect(cases).toMatch(/<span class="muted">Mon Mar 2, 6:\d\d AM, by text<\/span>/);
    expect(cases).toMatch(/client <b>Harold Fischer<\/b>/);
    expect(cases).toMatch(/AdminTask <b>/);
    // The client's record opens in the agency's WellSky, from the address in its config.
    expect(cases).toMatch(/<a href="https:\/\/agency\.clearcareonline\.com\/clients\/\d+\/" target="_blank" rel="noopener noreferrer">Patient \d+<\/a>/);
    const url = `/dashboard/complaints/${night.complaintId}/status`;
    await agent.post(url).type('form').send({ do: 'acknowledge', _csrf: csrf });
    await agent.post(url).type('form').send({ do: 'assign', owner: 'Owner', _csrf: csrf });
    await agent.post(url).type('form').send({ do: 'resolve', _csrf: csrf });
    let row = (await ctx.db.query<{ status: string; owner: string }>('SELECT status, owner FROM complaints WHERE id = $1', [night.complaintId])).rows[0];
    expect(row).toEqual({ status: 'acknowledged', owner: 'Owner' });
    await agent.post(url).type('form').send({ do: 'resolve', note: 'Called Linda; laundry added to the care plan', _csrf: csrf });
    row = (await ctx.db.query<{ status: string; owner: string }>('SELECT status, owner FROM complaints WHERE id = $1', [night.complaintId])).rows[0];
    expect(row.status).toBe('resolved');
    const all = (await agent.get('/dashboard/cases?show=all')).text;
    expect(all).toMatch(/note: Called Linda; laundry added to the care plan/);
    expect((await agent.get('/dashboard/cases')).text).not.toContain(`complaint-${night.complaintId}"`);
  });

  it('finds conversations by masked phone and by name, with the transcript turn by turn', async () => {
    const { agent } = await loggedIn();
    const byPhone = (await agent.get('/dashboard/conversations?q=***0131')).text;
    const id = /\/dashboard\/conversations\/(cs_[a-z0-9]+)/.exec(byPhone)![1];
    const byName = (await agent.get('/dashboard/conversations?q=linda')).text;
    expect(byName).toContain(id);
    const transcript = (await agent.get(`/dashboard/conversations/${id}`)).text;
    expect(transcript).toMatch(/Linda Fischer \(contact\)/);
    expect(transcript).toMatch(/I have a complaint[\s\S]*tell me what happened/);
    expect(transcript).toMatch(/complaint <a href="\/dashboard\/cases#complaint-/);
  });

  it('shows fill metrics for 7 and 30 days with a chart and per-caregiver replies', async () => {
    const { agent } = await loggedIn();
    const page = (await agent.get('/dashboard/metrics')).text;
    expect(page).toMatch(/<td>call-outs<\/td><td>2<\/td><td>2<\/td>/);
    expect(page).toMatch(/<td>fill rate<\/td><td>100%<\/td>/);
    expect(page).toMatch(/<td>filled by the first wave<\/td><td>100%<\/td>/);
    expect(page).toContain('<svg');
    expect(page).toMatch(/reply rate/);
  });

  it('retries a dead-lettered job, recording who sent it back', async () => {
    const { agent, csrf } = await loggedIn(CARE_MANAGER, STAFF_PASSWORD);
    const page = (await agent.get('/dashboard/failures')).text;
    expect(page).toMatch(/reports\.weekly[\s\S]*unknown job kind/);
    expect(page).toMatch(/data-testid="sync">[\s\S]*ok/);
    expect(page).toMatch(/data-testid="wellsky-status">[\s\S]*sandbox: ok/);
    await agent.post(`/dashboard/jobs/${night.deadJobId}/retry`).type('form').send({ _csrf: csrf });
    const job = await h.services.jobs.get(night.deadJobId);
    expect(job).toMatchObject({ status: 'pending', retriedBy: CARE_MANAGER });
    void FIXTURE_PEOPLE;
  });
}, { resetEach: false });
