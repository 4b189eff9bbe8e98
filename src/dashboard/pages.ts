/**
 * The console's pages, rendered on the server from the modules' console query functions. Each
 * function returns the page body; index.ts wraps it in the layout and handles the actions.
 */
import type { Services } from '../app';
import { isOfficeOpen } from '../office-hours';
import { createShiftFillConsole, type CallOutSummary, type CampaignDetail } from '../shiftfill/console';
import { createComplaintsConsole, type ComplaintView } from '../complaints/console';
import { createLeadsConsole, type LeadView } from '../leads/console';
import { createConversationsConsole } from '../conversations/console';
import { createTextsConsole } from '../twilio/console';
import { findPeopleByName } from '../directory/console';
import { shiftWhen } from '../shiftfill/texts';
import { badge, duration, esc, fmtClock, fmtTime, form, html, masked, raw, table, wellskyRecord, type Html } from './html';
import { caregiverStats, dailyCounts, fillChart, fillMetrics, type FillMetrics } from './metrics';
import type { Audit } from './audit';

export type ConsoleServices = Pick<Services, 'config' | 'clock' | 'db' | 'jobs' | 'runner' | 'directory' | 'wellsky' | 'outbox' | 'staffMessages' | 'optOuts'>;

/** The most recent moment the office went from open to closed (5-minute steps, up to 8 days back). */
export function lastOfficeClose(agency: Services['config']['agency'], now: Date): Date {
  const step = 5 * 60_000;
  let t = Math.floor(now.getTime() / step) * step;
  for (let i = 0; i < (8 * 24 * 60) / 5; i++, t -= step) {
    if (!isOfficeOpen(agency, new Date(t)) && isOfficeOpen(agency, new Date(t - step))) return new Date(t);
  }
  return new Date(now.getTime() - 24 * 3_600_000);
}

export function createConsoleData(s: ConsoleServices) {
  const deps = {
    db: s.db, jobs: s.jobs, outbox: s.outbox, wellsky: s.wellsky, directory: s.directory, staffMessages: s.staffMessages, optOuts: s.optOuts,
    agency: s.config.agency, clock: s.clock, wakeWorker: () => s.runner.poke(),
  };
  return {
    shiftFill: createShiftFillConsole(deps),
    complaints: createComplaintsConsole({ db: s.db, clock: s.clock }),
    leads: createLeadsConsole({ db: s.db, clock: s.clock }),
    conversations: createConversationsConsole({ db: s.db }),
    texts: createTextsConsole({ db: s.db }),
  };
}
export type ConsoleData = ReturnType<typeof createConsoleData>;

/** Names from the directory, once per page. */
function namer(s: ConsoleServices) {
  const cache = new Map<string, Promise<string>>();
  return (kind: 'caregiver' | 'client', id: string | null | undefined): Promise<string> => {
    if (!id) return Promise.resolve('');
    const key = `${kind}:${id}`;
    if (!cache.has(key)) {
      cache.set(key, s.directory.lookupPerson(kind, id).then((p) => (p ? `${p.firstName} ${p.lastName}`.trim() : `${kind} ${id}`)).catch(() => `${kind} ${id}`));
    }
    return cache.get(key)!;
  };
}

const STATE_LABEL: Record<CallOutSummary['state'], string> = {
  filled: 'filled', filling: 'being filled', escalated: 'escalated', unfilled: 'unfilled', late: 'running late', cancelled: 'taken back',
};
const STATE_BADGE: Record<CallOutSummary['state'], string> = {
  filled: 'filled', filling: 'filling', escalated: 'escalated', unfilled: 'unfilled', late: 'pending', cancelled: 'ok',
};
const FOLLOW_UP_LABEL = { new: 'new', acknowledged: 'acknowledged', called_back: 'called back', resolved: 'resolved' } as const;

// ── Today ──────────────────────────────────────────────────────────────────────────────────

export async function todayPage(s: ConsoleServices, d: ConsoleData): Promise<Html> {
  const zone = s.config.agency.agency.timezone;
  const now = s.clock.now();
  const since = lastOfficeClose(s.config.agency, now);
  const name = namer(s);
  const [callOuts, soon, complaints, leads, messages, dead] = await Promise.all([
    d.shiftFill.callOutsSince(since),
    d.shiftFill.unstaffedBetween(now, new Date(now.getTime() + 12 * 3_600_000)),
    d.complaints.list({ since }),
    d.leads.list({ since }),
    d.conversations.staffMessages({ since }),
    s.jobs.listDead({ limit: 50 }),
  ]);
  const openComplaintsNeedingPerson = (await d.complaints.list({ status: 'open' })).filter((c) => c.lastError && !c.adminTaskId);
  const calls = callOuts.filter((c) => c.kind === 'callout');
  const late = callOuts.filter((c) => c.kind === 'late');
  const count = (st: CallOutSummary['state']) => calls.filter((c) => c.state === st).length;
  const failures = dead.length + openComplaintsNeedingPerson.length;
  const card = (n: number, label: string, alert = false, testid = '') =>
    html`<div class="card${alert && n ? ' alert' : ''}" data-testid="${testid}"><div class="n">${n}</div><div class="l">${label}</div></div>`;

  const soonRows = await Promise.all(soon.map(async (c) => [
    html`<b>in ${duration(Date.parse(c.shiftStart) - now.getTime())}</b>`,
    shiftWhen({ start: c.shiftStart, end: c.shiftEnd, timezone: zone }, 'en'),
    await name('client', c.clientId),
    html`${await name('caregiver', c.caregiverId)} <span class="muted">called out</span>`,
    badge(STATE_LABEL[c.state], STATE_BADGE[c.state]),
    c.campaignId ? html`<a href="/dashboard/campaigns/${c.campaignId}">campaign ${c.campaignId}</a>` : 'not started yet',
  ]));

  const callOutRows = await Promise.all(callOuts.map(async (c) => [
    fmtTime(c.createdAt, zone),
    c.kind === 'late' ? `running late${c.etaMinutes ? ` (${c.etaMinutes} min)` : ''}` : `C-${c.callOutId}`,
    await name('caregiver', c.caregiverId),
    shiftWhen({ start: c.shiftStart, end: c.shiftEnd, timezone: zone }, 'en'),
    await name('client', c.clientId),
    c.reason ?? '',
    badge(STATE_LABEL[c.state], STATE_BADGE[c.state]),
    c.winnerCaregiverId ? `${await name('caregiver', c.winnerCaregiverId)}${c.filledAt ? ` after ${duration(Date.parse(c.filledAt) - Date.parse(c.createdAt))}` : ''}` : c.writeBack === 'outside' ? 'filled outside' : '',
    c.campaignId ? html`<a href="/dashboard/campaigns/${c.campaignId}">open</a>` : '',
  ]));

  return html`<h1>Since the office closed <span class="muted">(${fmtTime(since.toISOString(), zone)})</span> <span class="live" id="live">live</span></h1>
<div class="urgent-box" data-testid="unstaffed"><h2 style="margin-top:.2rem">No caregiver yet, starting in the next 12 hours (${soon.length})</h2>
${table(['starts', 'shift', 'client', 'why', 'status', ''], soonRows, { empty: 'Every shift starting in the next 12 hours has a caregiver.' })}</div>
<div class="cards">
${card(calls.length, 'call-outs', false, 'count-callouts')}${card(count('filled'), 'filled', false, 'count-filled')}${card(count('filling'), 'being filled')}
${card(count('escalated'), 'escalated', true)}${card(count('unfilled'), 'unfilled', true)}${card(late.length, 'late arrivals')}
${card(complaints.length, 'complaints', complaints.some((c) => c.severity !== 'normal'), 'count-complaints')}${card(leads.length, 'leads')}
${card(messages.length, 'messages for staff')}${card(failures, 'failures needing a person', true)}
</div>
<h2>Call-outs and late arrivals</h2>
${table(['when', 'ref', 'caregiver', 'shift', 'client', 'reason', 'status', 'filled by', ''], callOutRows, { empty: 'No call-outs since the office closed.' })}
<h2>Complaints (urgent first)</h2>
${complaintsTable(complaints, zone)}
<h2>Leads</h2>
${leadsTable(leads, zone)}
<h2>Messages for staff</h2>
${table(['when', 'ref', 'for', 'about', 'from', 'message'], messages.map((m) => [
    fmtTime(m.createdAt, zone), m.reference, m.role, m.topic, `${m.callerLabel ?? ''} ${masked(m.callerPhone)}`,
    html`${m.incomplete ? badge('incomplete', 'pending') : ''} ${m.transcription ?? m.body ?? ''} ${m.conversationId ? html`<a href="/dashboard/conversations/${m.conversationId}">transcript</a>` : ''}`,
  ]), { empty: 'No messages since the office closed.' })}
<h2>Failures needing a person</h2>
${failures ? html`<p><a href="/dashboard/failures">${dead.length} dead-lettered job(s)</a>${openComplaintsNeedingPerson.length ? html`, ${openComplaintsNeedingPerson.length} complaint(s) not yet in WellSky` : ''}.</p>` : html`<p class="empty">Nothing failed.</p>`}`;
}

function complaintsTable(list: ComplaintView[], zone: string): Html {
  return table(['when', 'case', 'severity', 'status', 'owner', 'client', 'from', 'words', ''], list.map((c) => [
    fmtTime(c.createdAt, zone), c.caseNumber, badge(c.severity), badge(FOLLOW_UP_LABEL[c.status], c.status), c.owner ?? '', c.clientName ?? '',
    `${c.callerLabel} ${masked(c.callerPhone)}`, (c.transcription ?? c.body ?? (c.recordingUrl ? '(voicemail)' : '')).slice(0, 140),
    html`<a href="/dashboard/cases#complaint-${c.id}">open</a>`,
  ]), { empty: 'No complaints.' });
}

function leadsTable(list: LeadView[], zone: string): Html {
  return table(['when', 'ref', 'status', 'owner', 'caller', 'for', 'where', 'needs', ''], list.map((l) => [
    fmtTime(l.createdAt, zone), l.reference, badge(FOLLOW_UP_LABEL[l.status], l.status), l.owner ?? '', `${l.callerName ?? '(no name)'} ${masked(l.callerPhone)}`,
    l.careForName ?? '', [l.city, l.zip].filter(Boolean).join(' '), l.needs ?? '', html`<a href="/dashboard/cases#lead-${l.id}">open</a>`,
  ]), { empty: 'No leads.' });
}

// ── Campaign ───────────────────────────────────────────────────────────────────────────────

const WRITE_BACK_LABEL: Record<string, string> = {
  verified: 'written to WellSky and read back', mismatch: 'written, but WellSky shows someone else on reading back', refused: 'WellSky refused (403)',
  off: 'write-back turned off', failed: 'failed', outside: 'filled outside the system (nothing written)', opened: 'shift opened in WellSky (caregiver removed)',
  restored: 'caregiver put back in WellSky', restore_refused: 'WellSky refused to put the caregiver back',
};

export async function campaignPage(s: ConsoleServices, d: ConsoleData, detail: CampaignDetail, csrf: string): Promise<Html> {
  const zone = s.config.agency.agency.timezone;
  const links = s.config.agency.wellskyLinks;
  const name = namer(s);
  const { campaign: c, callOut: co, candidates, offers, escalations } = detail;
  const [texts, clientName, calledOut, winner, wellskyNow] = await Promise.all([
    d.shiftFill.textsSeen(c.id),
    name('client', c.client_id),
    name('caregiver', co.caregiver_id),
    name('caregiver', c.winner_caregiver_id),
    s.wellsky.getShift(c.shift_id, { interactive: true }).then((sh) => sh, () => undefined),
  ]);
  const offered = new Set(offers.map((o) => o.caregiverId));
  const firstName = new Map(candidates.map((x) => [x.caregiverId, x.firstName]));
  const t = (iso: string | null | undefined) => fmtTime(iso, zone);

  // The story in order.
  const events: { at: string; text: Html | string }[] = [
    { at: co.created_at, text: html`<b>${calledOut}</b> called out by ${co.channel === 'voice' ? 'phone' : 'text'}: “${co.reason ?? 'no reason given'}”` },
  ];
  if (co.processed_at) events.push({ at: co.processed_at, text: `Office texted; AdminTask ${co.admin_task_id ?? ''} in WellSky; ${WRITE_BACK_LABEL[co.write_back ?? ''] ?? co.write_back ?? ''}` });
  const waves = [...new Set(offers.map((o) => o.wave))];
  for (const w of waves) {
    const list = offers.filter((o) => o.wave === w);
    events.push({ at: list[0].sentAt, text: `${w === 0 ? 'Offered by hand' : `Wave ${w}`}: offered to ${list.length} caregiver(s) (${list.map((o) => firstName.get(o.caregiverId) ?? o.caregiverId).join(', ')})` });
  }
  for (const o of offers.filter((x) => x.repliedAt)) {
    const who = firstName.get(o.caregiverId) ?? o.caregiverId;
    const verb = o.status === 'claimed' ? 'said YES and got the shift' : o.status === 'declined' ? 'said no' : o.status === 'too_late' ? 'said yes, too late' : `replied (${o.status})`;
    events.push({ at: o.repliedAt!, text: `${who} ${verb} after ${duration(Date.parse(o.repliedAt!) - Date.parse(o.sentAt))}` });
  }
  for (const e of escalations) events.push({ at: e.sentAt, text: `Escalated to ${e.staffName} (${masked(e.staffPhone)}): ${e.reason}` });
  if (c.acknowledged_by && c.acknowledged_at) events.push({ at: c.acknowledged_at, text: `${c.acknowledged_by} acknowledged (OK)` });
  if (c.filled_at) {
    events.push({
      at: c.filled_at,
      text: c.write_back === 'outside' ? `Marked filled outside the system by ${c.closed_by ?? ''}${c.close_note ? `: ${c.close_note}` : ''}`
        : html`<b>Filled by ${winner}</b>${c.closed_by ? ` (assigned by hand by ${c.closed_by})` : ''} ${duration(Date.parse(c.filled_at) - Date.parse(c.call_out_at))} after the call-out; ${WRITE_BACK_LABEL[c.write_back ?? ''] ?? (c.write_back ? c.write_back : 'WellSky write-back pending')}`,
    });
  }
  if (c.status === 'cancelled' && c.closed_at) events.push({ at: c.closed_at, text: c.closed_by ? `Stopped by ${c.closed_by}${c.close_note ? `: ${c.close_note}` : ''}` : 'Call-out taken back by the caregiver' });
  if (c.status === 'expired' && c.closed_at) events.push({ at: c.closed_at, text: 'The shift started with nobody found' });
  events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));

  const offerRows = await Promise.all(offers.map(async (o) => [
    o.wave === 0 ? 'by hand' : o.wave, await name('caregiver', o.caregiverId), masked(o.phone), t(o.sentAt), badge(o.status.replace('_', ' '), o.status),
    o.repliedAt ? `${t(o.repliedAt)} (${duration(Date.parse(o.repliedAt) - Date.parse(o.sentAt))})` : '',
  ]));
  const yes = (b: boolean) => (b ? 'yes' : '');
  const candidateRows = candidates.slice(0, 60).map((x) => [
    x.rank || '–', x.firstName, offered.has(x.caregiverId) ? 'offered' : '', yes(x.workedForClient), yes(x.sameArea), yes(x.sharesLanguage),
    x.skillsNeeded ? `${x.skillsMatched}/${x.skillsNeeded}` : '', x.hoursThisWeek ?? '', x.avgReplySeconds != null ? duration(x.avgReplySeconds * 1000) : '',
    x.eligibility.replace('_', ' '),
  ]);
  const choosable = candidates.filter((x) => x.phone && (x.eligibility === 'eligible' || x.eligibility === 'pending'));
  const options = (list: typeof candidates) => list.map((x) => html`<option value="${x.caregiverId}">${x.firstName} (#${x.caregiverId}${x.rank ? `, rank ${x.rank}` : ''})</option>`);
  const open = c.status === 'open';
  const fillable = c.status !== 'filled' && Date.parse(c.shift_start) > s.clock.now().getTime();
  const action = (p: string) => `/dashboard/campaigns/${c.id}/${p}`;

  return html`<h1>Campaign ${c.id}: ${shiftWhen({ start: c.shift_start, end: c.shift_end, timezone: zone }, 'en')} with ${clientName} ${badge(c.status)}</h1>
<div class="grid"><div>
<table><tbody>
<tr><th>Shift</th><td>${shiftWhen({ start: c.shift_start, end: c.shift_end, timezone: zone }, 'en')} · appointment ${c.shift_id}</td></tr>
<tr><th>Client</th><td>${clientName} <span class="muted">(staff only: offers never name the client)</span></td></tr>
<tr><th>Called out</th><td>${calledOut} at ${t(co.created_at)} — “${co.reason ?? 'no reason given'}”</td></tr>
<tr><th>Claim code</th><td>${c.claim_code}${c.area ? ` · area ${c.area}` : ''}${c.skills ? ` · skills ${c.skills}` : ''}</td></tr>
<tr><th>Claim</th><td data-testid="claim">${c.winner_caregiver_id ? html`<b>${winner}</b> at ${t(c.filled_at)}` : c.write_back === 'outside' ? 'filled outside the system' : 'nobody yet'}</td></tr>
<tr><th>WellSky write-back</th><td data-testid="writeback">${WRITE_BACK_LABEL[c.write_back ?? ''] ?? (c.write_back ?? '—')}${c.assign_task_id ? html` · ${wellskyRecord(links.adminTask, 'AdminTask', c.assign_task_id)}` : ''}</td></tr>
<tr><th>WellSky now</th><td data-testid="wellsky-now">${wellskyRecord(links.shift, 'Shift', c.shift_id)}: ${wellskyNow ? html`${wellskyNow.status}, caregiver: ${wellskyNow.caregiverId ? await name('caregiver', wellskyNow.caregiverId) : 'none'}` : 'WellSky did not answer'}</td></tr>
<tr><th>Escalation</th><td>${escalations.length ? `${escalations.length} on-call text(s)` : 'none'}${c.acknowledged_by ? ` · acknowledged by ${c.acknowledged_by} at ${t(c.acknowledged_at)}` : ''}</td></tr>
</tbody></table>
<h2>Timeline</h2>
<ol class="timeline" data-testid="timeline">${events.map((e) => html`<li><time>${fmtClock(e.at, zone)}</time> ${e.text}</li>`)}</ol>
</div><div>
<div class="actions"><h2 style="margin-top:0">Actions</h2>
${open ? form(action('stop'), csrf, html`<input type="text" name="note" placeholder="why (optional)"><button>Stop campaign</button>`, { confirm: 'Stop sending offers?' }) : ''}
${open && choosable.some((x) => !offered.has(x.caregiverId)) ? form(action('offer'), csrf, html`<select name="caregiverId" aria-label="caregiver to offer">${options(choosable.filter((x) => !offered.has(x.caregiverId)))}</select><button>Offer to one more</button>`) : ''}
${fillable ? form(action('assign'), csrf, html`<select name="caregiverId" aria-label="caregiver to assign">${options(candidates.filter((x) => x.phone && x.eligibility !== 'caller'))}</select><input type="text" name="note" placeholder="note (optional)"><button>Assign by hand (writes WellSky)</button>`) : ''}
${fillable ? form(action('filled-outside'), csrf, html`<input type="text" name="note" placeholder="how it was covered"><button class="secondary">Mark filled outside</button>`) : ''}
${!open && !fillable ? html`<p class="muted">No actions: the campaign is ${c.status}.</p>` : ''}
</div></div></div>
<h2>Offers and replies</h2>
${table(['wave', 'caregiver', 'phone', 'sent', 'status', 'replied'], offerRows, { empty: 'No offers sent yet.' })}
<h2>Candidates, in ranking order</h2>
<p class="muted">Ranked by: worked for this client, same city or ZIP, shares a language, skills matched, fewer hours this week, faster past replies.</p>
${table(['rank', 'caregiver', '', 'worked for client', 'same area', 'language', 'skills', 'hours this week', 'avg reply', 'eligibility'], candidateRows, { empty: 'Candidates not ranked yet.' })}
<h2>Escalations</h2>
${table(['step', 'to', 'phone', 'reason', 'sent'], escalations.map((e) => [e.step + 1, e.staffName, masked(e.staffPhone), e.reason, t(e.sentAt)]), { empty: 'No escalations.' })}
<h2>Exactly what each recipient received</h2>
${table(['sent', 'to', 'audience', 'purpose', 'status', 'text'], texts.map((x) => [t(x.createdAt), masked(x.to), x.audience ?? '', x.purpose,
    x.status === 'refused_privacy' ? html`${badge('held back', 'refused_privacy')} <span class="muted">${(x.errorMessage ?? '').replace(/^held back by the privacy budget: /, '')}</span>` : badge(x.status),
    html`<span class="said">${x.body}</span>`]), { empty: 'No texts yet.' })}`;
}

// ── Complaints and leads ───────────────────────────────────────────────────────────────────

export async function casesPage(s: ConsoleServices, d: ConsoleData, csrf: string, filter: string): Promise<Html> {
  const zone = s.config.agency.agency.timezone;
  const links = s.config.agency.wellskyLinks;
  const status = filter === 'all' ? undefined : 'open';
  const [complaints, leads] = await Promise.all([d.complaints.list({ status }), d.leads.list({ status })]);
  const staffOptions = (owner: string | null) => s.config.agency.staff.map((p) => html`<option ${p.name === owner ? raw('selected') : ''}>${p.name}</option>`);
  const actions = (kind: 'complaints' | 'leads', id: number, owner: string | null) =>
    form(`/dashboard/${kind}/${id}/status`, csrf, html`<select name="owner" aria-label="owner"><option value="">owner…</option>${staffOptions(owner)}</select>
<input type="text" name="note" placeholder="note" aria-label="note">
<button name="do" value="acknowledge">Acknowledge</button><button name="do" value="assign" class="secondary">Assign</button>
<button name="do" value="called_back" class="secondary">Called back</button><button name="do" value="resolve">Resolve</button>`);
  const shifts = (list: { start: string; end: string; status: string; caregiverName?: string }[]) =>
    list.slice(0, 5).map((x) => `${shiftWhen({ start: x.start, end: x.end, timezone: zone }, 'en')} ${x.caregiverName ?? 'no caregiver'} (${x.status.toLowerCase()})`).join('; ');

  const complaintCards = complaints.map((c) => html`<div class="actions" id="complaint-${c.id}" data-testid="complaint-${c.id}">
<h2 style="margin-top:0">${c.caseNumber} ${badge(c.severity)} ${badge(FOLLOW_UP_LABEL[c.status], c.status)} <span class="muted">${fmtTime(c.createdAt, zone)}, by ${c.channel === 'voice' ? 'phone' : 'text'}</span></h2>
<p>From <b>${c.callerLabel}</b> ${masked(c.callerPhone)}${c.clientName ? html` · client <b>${c.clientName}</b>` : ' · not on file for any client'}${c.reason ? ` · ${c.reason}` : ''}${c.incomplete ? html` ${badge('incomplete', 'pending')}` : ''}</p>
${c.body ? html`<div class="words">“${c.body}”</div>` : ''}${c.transcription ? html`<div class="words">Recording transcription: “${c.transcription}”</div>` : c.recordingUrl ? html`<p><a href="${c.recordingUrl}">voicemail recording</a> (transcription not in yet)</p>` : ''}
${c.context ? html`<p class="muted">Last 7 days: ${shifts(c.context.recentShifts) || 'no shifts'}. Next: ${shifts(c.context.upcomingShifts) || 'no shifts'}.${c.context.earlierCases.length ? ` Earlier complaints: ${c.context.earlierCases.map((e) => e.caseNumber).join(', ')}.` : ''}</p>` : ''}
<p>WellSky: ${c.adminTaskId ? wellskyRecord(links.adminTask, 'AdminTask', c.adminTaskId) : c.lastError ? badge(`not written yet (${c.lastError})`, 'failed') : 'AdminTask pending'}${c.clientId ? html` · ${wellskyRecord(links.patient, 'Patient', c.clientId)}` : ''}
${c.conversationId ? html` · <a href="/dashboard/conversations/${c.conversationId}">transcript</a>` : ''}</p>
<p>Owner: <b>${c.owner ?? 'nobody yet'}</b>${c.statusBy ? ` · last change by ${c.statusBy}` : ''}${c.statusNote ? ` · note: ${c.statusNote}` : ''}</p>
${actions('complaints', c.id, c.owner)}</div>`);

  const leadCards = leads.map((l) => html`<div class="actions" id="lead-${l.id}" data-testid="lead-${l.id}">
<h2 style="margin-top:0">Lead ${l.reference} ${badge(FOLLOW_UP_LABEL[l.status], l.status)} <span class="muted">${fmtTime(l.createdAt, zone)}, by ${l.channel === 'voice' ? 'phone' : 'text'}</span></h2>
<p><b>${l.callerName ?? '(name not given)'}</b> ${masked(l.callerPhone)}${l.relationship ? ` (${l.relationship})` : ''}${l.careForName ? ` for ${l.careForName}` : ''}${l.city || l.zip ? ` · ${[l.city, l.zip].filter(Boolean).join(' ')}` : ''}${l.incomplete ? html` ${badge('incomplete', 'pending')}` : ''}</p>
<div class="words">${[l.needs && `Needs: ${l.needs}`, l.schedule && `Schedule: ${l.schedule}`, l.payer && `Payer: ${l.payer}`, l.heardFrom && `Heard of us: ${l.heardFrom}`].filter(Boolean).join(' · ') || 'No details given.'}</div>
<p>WellSky: ${l.patientId ? html`${wellskyRecord(links.patient, 'Patient', l.patientId)} (${l.wellskyStatus})` : badge(l.wellskyStatus, l.wellskyStatus === 'pending' ? 'pending' : 'ok')}${l.lastError ? html` ${badge(l.lastError, 'failed')}` : ''}
${l.conversationId ? html` · <a href="/dashboard/conversations/${l.conversationId}">transcript</a>` : ''}</p>
<p>Owner: <b>${l.owner ?? 'nobody yet'}</b>${l.statusBy ? ` · last change by ${l.statusBy}` : ''}${l.statusNote ? ` · note: ${l.statusNote}` : ''}</p>
${actions('leads', l.id, l.owner)}</div>`);

  return html`<h1>Complaints and leads</h1>
<p>${filter === 'all' ? html`Showing all. <a href="/dashboard/cases">Show open only</a>` : html`Showing open (not resolved). <a href="/dashboard/cases?show=all">Show all</a>`}</p>
<h2>Complaints (${complaints.length})</h2>${complaintCards.length ? complaintCards : html`<p class="empty">No complaints.</p>`}
<h2>Leads (${leads.length})</h2>${leadCards.length ? leadCards : html`<p class="empty">No leads.</p>`}`;
}

// ── Conversations ──────────────────────────────────────────────────────────────────────────

export async function conversationsPage(s: ConsoleServices, d: ConsoleData, q: string): Promise<Html> {
  const zone = s.config.agency.agency.timezone;
  const query = q.trim();
  const digits = query.replace(/\D/g, '');
  let people: Awaited<ReturnType<typeof findPeopleByName>> = [];
  let list;
  if (!query) list = await d.conversations.search({ limit: 50 });
  else if (digits.length >= 3 && !/[a-z]/i.test(query.replace(/\*/g, ''))) list = await d.conversations.search({ digits });
  else {
    people = await findPeopleByName(s.db, query);
    list = await d.conversations.search({ phones: people.flatMap((p) => p.phones) });
  }
  const who = new Map(people.flatMap((p) => p.phones.map((ph) => [ph, `${p.name} (${p.kind})`] as const)));
  return html`<h1>Conversations</h1>
<form method="get" action="/dashboard/conversations" class="inline"><input type="search" name="q" value="${query}" placeholder="last 4 digits (***0996) or a name" aria-label="search"><button>Search</button></form>
${people.length ? html`<p class="muted">People matching: ${people.map((p) => `${p.name} (${p.kind})`).join(', ')}</p>` : ''}
${table(['last activity', 'channel', 'caller', 'flow', 'status', 'turns', ''], list.map((c) => [
    fmtTime(c.lastActivityAt, zone), c.channel, `${who.get(c.callerPhone) ?? ''} ${masked(c.callerPhone)}`, c.flow, c.status, c.turns,
    html`<a href="/dashboard/conversations/${c.id}">transcript</a>`,
  ]), { empty: query ? 'No conversation matches.' : 'No conversations yet.' })}`;
}

export async function transcriptPage(s: ConsoleServices, d: ConsoleData, id: string): Promise<Html | undefined> {
  const zone = s.config.agency.agency.timezone;
  const conv = await d.conversations.get(id);
  if (!conv) return undefined;
  const [turns, complaints, leads, messages, caller] = await Promise.all([
    d.conversations.transcript(id), d.complaints.byConversation(id), d.leads.byConversation(id), d.conversations.staffMessages({ conversationId: id }),
    s.directory.identify(conv.callerPhone, { live: false }).catch(() => undefined),
  ]);
  const label = caller?.identities.length ? caller.identities.map((c) => `${`${c.firstName} ${c.lastName}`.trim()} (${c.kind})`).join(' / ') : 'unknown caller';
  const outcomes = [
    ...complaints.map((c) => html`complaint <a href="/dashboard/cases#complaint-${c.id}">${c.caseNumber}</a>`),
    ...leads.map((l) => html`lead <a href="/dashboard/cases#lead-${l.id}">${l.reference}</a>`),
    ...messages.map((m) => html`message ${m.reference} for ${m.role}`),
  ];
  return html`<h1>${conv.channel === 'voice' ? 'Call' : 'Text thread'} from ${label} ${masked(conv.callerPhone)}</h1>
<p>Flow: <b>${conv.flow}</b> · ${conv.status} · started ${fmtTime(conv.createdAt, zone)} · outcome: ${outcomes.length ? outcomes.map((o, i) => html`${i ? ', ' : ''}${o}`) : 'none recorded'}</p>
${table(['time', 'heard', 'said'], turns.map((t) => [fmtClock(t.at, zone), t.heard ?? html`<span class="muted">(call started)</span>`, html`<span class="said">${t.said.join('\n')}</span>`]), { empty: 'No turns recorded.', cls: 'transcript' })}`;
}

// ── Metrics ────────────────────────────────────────────────────────────────────────────────

function metricRows(ms: FillMetrics[]): unknown[][] {
  const pct = (v: number | null) => (v == null ? '—' : `${Math.round(v * 100)}%`);
  const dur = (v: number | null) => (v == null ? '—' : duration(v));
  const row = (label: string, f: (m: FillMetrics) => unknown) => [label, ...ms.map(f)];
  return [
    row('call-outs', (m) => m.callOuts), row('filled', (m) => m.filled), row('fill rate', (m) => pct(m.fillRate)),
    row('call-out → first offer, median', (m) => dur(m.firstOfferMedianMs)), row('call-out → first offer, 90th percentile', (m) => dur(m.firstOfferP90Ms)),
    row('call-out → filled, median', (m) => dur(m.fillMedianMs)), row('call-out → filled, 90th percentile', (m) => dur(m.fillP90Ms)),
    row('offer texts per fill', (m) => (m.textsPerFill == null ? '—' : m.textsPerFill.toFixed(1))), row('escalated', (m) => m.escalated),
    row('filled by the first wave', (m) => pct(m.firstWaveShare)),
  ];
}

export async function metricsPage(s: ConsoleServices, d: ConsoleData): Promise<Html> {
  const zone = s.config.agency.agency.timezone;
  const now = s.clock.now();
  const since = (days: number) => new Date(now.getTime() - days * 86_400_000);
  const [r7, r30, offers30] = await Promise.all([d.shiftFill.fillRecords(since(7)), d.shiftFill.fillRecords(since(30)), d.shiftFill.offerRecords(since(30))]);
  const m7 = fillMetrics(r7, 7);
  const m30 = fillMetrics(r30, 30);
  const people = caregiverStats(offers30);
  const name = namer(s);
  const rows = await Promise.all(people.map(async (p) => [
    await name('caregiver', p.caregiverId), p.offers, p.replies, `${Math.round(p.replyRate * 100)}%`, p.medianReplyMs == null ? '—' : duration(p.medianReplyMs), p.claimed,
  ]));
  return html`<h1>Fill metrics</h1>
${table(['', 'last 7 days', 'last 30 days'], metricRows([m7, m30]), { cls: 'metrics' })}
<h2>Call-outs and fills per day, last 30 days</h2>
${fillChart(dailyCounts(r30, 30, now, zone))}
<h2>Caregivers: reply rate and speed (last 30 days)</h2>
<p class="muted">Used for ranking (faster repliers are offered earlier) and for fairness: who is offered often and who rarely answers.</p>
${table(['caregiver', 'offers', 'replies', 'reply rate', 'median reply time', 'shifts taken'], rows, { empty: 'No offers in the last 30 days.' })}`;
}

// ── Failures ───────────────────────────────────────────────────────────────────────────────

export async function failuresPage(s: ConsoleServices, d: ConsoleData, csrf: string): Promise<Html> {
  const zone = s.config.agency.agency.timezone;
  const now = s.clock.now();
  const [dead, counts, sync, wellsky, texts, complaints, leads] = await Promise.all([
    s.jobs.listDead({ limit: 100 }),
    s.jobs.countByStatus(),
    s.directory.lastSyncRun(),
    s.wellsky.ping({ interactive: true }).then(() => 'ok', (err: Error) => `not answering (${err.name})`),
    d.texts.health(new Date(now.getTime() - 86_400_000)),
    d.complaints.list({ status: 'open' }),
    d.leads.list({ status: 'open' }),
  ]);
  const notWritten = [
    ...complaints.filter((c) => !c.adminTaskId && c.lastError).map((c) => [c.caseNumber, 'complaint AdminTask', c.lastError]),
    ...leads.filter((l) => l.wellskyStatus === 'pending' && l.lastError).map((l) => [l.reference, 'lead Patient', l.lastError]),
  ];
  const syncAge = sync?.finishedAt ? now.getTime() - sync.finishedAt.getTime() : undefined;
  return html`<h1>Failures and health</h1>
<table><tbody>
<tr><th>WellSky</th><td data-testid="wellsky-status">${badge(wellsky === 'ok' ? 'ok' : 'failed')} ${s.config.wellsky.mode === 'sandbox' ? 'sandbox' : 'live'}: ${wellsky}</td></tr>
<tr><th>Twilio</th><td>${s.config.twilio.mode === 'live' ? 'live' : 'dev (texts are not really sent)'} · last 24 h: ${Object.entries(texts.byStatus).map(([k, v]) => `${v} ${k}`).join(', ') || 'no texts'}${texts.lastFailure ? ` · last failure ${fmtTime(texts.lastFailure.at, zone)} (error ${texts.lastFailure.errorCode ?? '?'})` : ''}</td></tr>
<tr><th>Directory sync</th><td data-testid="sync">${sync ? html`${badge(sync.status === 'ok' ? 'ok' : sync.status === 'failed' ? 'failed' : 'pending')} ${sync.finishedAt ? `finished ${fmtTime(sync.finishedAt.toISOString(), zone)} (${duration(syncAge ?? 0)} ago)` : `running since ${fmtTime(sync.startedAt.toISOString(), zone)}`}
${sync.status === 'ok' ? ` · ${sync.caregivers ?? 0} caregivers, ${sync.patients ?? 0} clients, ${sync.contacts ?? 0} contacts${sync.contactFailures ? `, ${sync.contactFailures} clients' contacts unreadable` : ''}` : ''}${sync.error ? ` · ${sync.error}` : ''}${syncAge && syncAge > 3_600_000 ? html` ${badge('stale', 'failed')}` : ''}` : 'never run'}</td></tr>
<tr><th>Jobs</th><td>${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(' · ')}</td></tr>
</tbody></table>
<h2>Dead-lettered jobs (${dead.length})</h2>
${table(['died', 'job', 'kind', 'attempts', 'error', 'last retried', ''], dead.map((j) => [
    fmtTime(j.deadAt?.toISOString(), zone), `#${j.id}`, j.kind, `${j.attempts}/${j.maxAttempts}`, j.lastError ?? '',
    j.retriedBy ? `${j.retriedBy} at ${fmtTime(j.retriedAt?.toISOString(), zone)}` : '',
    form(`/dashboard/jobs/${j.id}/retry`, csrf, html`<button>Retry</button>`),
  ]), { empty: 'No dead-lettered jobs.' })}
<h2>Not yet written to WellSky (retried automatically)</h2>
${table(['ref', 'what', 'last error'], notWritten, { empty: 'Everything is written.' })}`;
}

export async function activityPage(s: ConsoleServices, audit: Audit): Promise<Html> {
  const zone = s.config.agency.agency.timezone;
  const rows = await audit.recent(200);
  return html`<h1>Activity: every action taken in the console</h1>
${table(['when', 'who', 'action', 'on', 'note'], rows.map((r) => [fmtTime(r.at, zone), r.actor, r.action, r.targetKind ? `${r.targetKind} ${r.targetId ?? ''}` : '', r.note ?? '']), { empty: 'Nothing yet.' })}`;
}

export { esc };
