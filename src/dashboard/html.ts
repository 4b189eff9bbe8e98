/** HTML helpers for the console's server-rendered pages: escaping, the layout, times, tables, forms. */
import { DateTime } from 'luxon';
import { maskPhone } from '../log';

export const esc = (v: unknown) =>
  String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Raw HTML (already escaped) passed through `html` untouched. */
export class Html {
  constructor(readonly value: string) {}
  toString() {
    return this.value;
  }
}
export const raw = (s: string) => new Html(s);

/** Tagged template: interpolations are escaped unless they are Html (or arrays of it). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1];
  });
  return new Html(out);
}

function render(v: unknown): string {
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === false || v == null) return '';
  return esc(v);
}

export const masked = (phone: string | null | undefined) => maskPhone(phone);

export function fmtTime(isoTime: string | null | undefined, zone: string): string {
  if (!isoTime) return '';
  return DateTime.fromISO(isoTime, { zone: 'utc' }).setZone(zone).toFormat('ccc LLL d, h:mm a');
}

export function fmtClock(isoTime: string | null | undefined, zone: string): string {
  if (!isoTime) return '';
  return DateTime.fromISO(isoTime, { zone: 'utc' }).setZone(zone).toFormat('h:mm:ss a');
}

/** "2 h 15 min", "45 min", "30 s". */
export function duration(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h${m % 60 ? ` ${m % 60} min` : ''}`;
  return `${Math.round(h / 24)} days`;
}

export function table(headers: string[], rows: unknown[][], opts: { empty?: string; cls?: string } = {}): Html {
  if (!rows.length) return html`<p class="empty">${opts.empty ?? 'none'}</p>`;
  return html`<table class="${opts.cls ?? ''}"><thead><tr>${headers.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${rows.map(
    (r) => html`<tr>${r.map((c) => html`<td>${c}</td>`)}</tr>`,
  )}</tbody></table>`;
}

export function badge(text: string, kind = text): Html {
  return html`<span class="badge b-${kind.replace(/[^a-z_-]/gi, '')}">${text.replace(/_/g, ' ')}</span>`;
}

export interface PageContext {
  title: string;
  agencyName: string;
  user: string;
  csrf: string;
  active: string;
  flash?: { ok: boolean; message: string };
  /** Extra script for the page (inline, ours). */
  script?: string;
}

const NAV: [string, string][] = [
  ['today', 'Today'],
  ['cases', 'Complaints & leads'],
  ['conversations', 'Conversations'],
  ['metrics', 'Fill metrics'],
  ['failures', 'Failures'],
  ['activity', 'Activity'],
];

const STYLE = `
*{box-sizing:border-box}body{font:14px/1.4 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
header{background:#1f3a5f;color:#fff;padding:.6rem 1.5rem;display:flex;align-items:center;gap:1.5rem;flex-wrap:wrap}
header a{color:#dfe8f5;text-decoration:none;padding:.2rem .5rem;border-radius:4px}header a.on,header a:hover{background:#2f5485;color:#fff}
header .who{margin-left:auto;display:flex;gap:.5rem;align-items:center;font-size:13px}
header button{background:none;border:1px solid #9fb4d0;color:#fff;border-radius:4px;padding:.15rem .5rem;cursor:pointer}
main{padding:1rem 1.5rem;max-width:1400px}h1{font-size:1.35rem;margin:.4rem 0 1rem}h2{font-size:1.05rem;margin:1.4rem 0 .5rem}
table{border-collapse:collapse;background:#fff;margin-bottom:1rem;width:100%}td,th{border:1px solid #dde1e7;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef1f5;font-weight:600}.empty{color:#6b7380;font-style:italic}
.cards{display:flex;gap:.75rem;flex-wrap:wrap;margin-bottom:1rem}.card{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:.6rem .9rem;min-width:130px}
.card .n{font-size:1.6rem;font-weight:700}.card .l{color:#55606e;font-size:12px}.card.alert{border-color:#d33;background:#fff4f4}
.badge{display:inline-block;padding:0 .45rem;border-radius:9px;font-size:12px;background:#e4e7ec;white-space:nowrap}
.b-filled,.b-verified,.b-resolved,.b-ok,.b-written,.b-claimed{background:#d7f2dd;color:#185c2a}.b-filling,.b-open,.b-acknowledged,.b-called_back{background:#e0ebfb;color:#1f4a8a}
.b-escalated,.b-urgent,.b-pending{background:#fdebc8;color:#7a4b00}.b-unfilled,.b-emergency,.b-failed,.b-dead,.b-refused,.b-refused_privacy,.b-mismatch,.b-new{background:#fbdada;color:#8a1f1f}
.urgent-box{border:2px solid #d33;background:#fff;border-radius:6px;padding:.5rem 1rem;margin-bottom:1rem}
.flash{padding:.5rem 1rem;border-radius:6px;margin-bottom:1rem}.flash.ok{background:#d7f2dd}.flash.err{background:#fbdada}
form.inline{display:inline-flex;gap:.35rem;align-items:center;margin:.15rem .4rem .15rem 0;flex-wrap:wrap}
input,select,textarea,button{font:inherit}input[type=text],input[type=password],input[type=search],select,textarea{padding:.25rem .4rem;border:1px solid #b9c0ca;border-radius:4px}
button{padding:.25rem .7rem;border:1px solid #1f3a5f;background:#1f3a5f;color:#fff;border-radius:4px;cursor:pointer}button.secondary{background:#fff;color:#1f3a5f}
.muted{color:#6b7380}.said{white-space:pre-wrap}.timeline{list-style:none;padding:0;margin:0;background:#fff;border:1px solid #dde1e7}
.timeline li{padding:4px 10px;border-bottom:1px solid #eef0f3}.timeline time{display:inline-block;min-width:8.5rem;color:#55606e}
.actions{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:.6rem .9rem;margin:1rem 0}.grid{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
.live{font-size:12px;color:#6b7380}.words{background:#fafbfc;border-left:3px solid #9fb4d0;padding:.3rem .6rem;margin:.3rem 0;white-space:pre-wrap}
@media (max-width:900px){.grid{grid-template-columns:1fr}}
`;

export function layout(p: PageContext, body: Html): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(p.title)} · ${esc(p.agencyName)}</title><style>${STYLE}</style></head><body>
<header><strong>${esc(p.agencyName)}</strong><nav>${NAV.map(([k, l]) => `<a href="/dashboard/${k === 'today' ? '' : k}" class="${k === p.active ? 'on' : ''}">${esc(l)}</a>`).join('')}</nav>
<span class="who">Signed in as <b data-testid="user">${esc(p.user)}</b><form method="post" action="/dashboard/logout" class="inline">${csrfField(p.csrf)}<button>Log out</button></form></span></header>
<main>${p.flash ? `<div class="flash ${p.flash.ok ? 'ok' : 'err'}" role="status">${esc(p.flash.message)}</div>` : ''}${body.value}</main>
${p.script ? `<script>${p.script}</script>` : ''}</body></html>`;
}

export function bare(title: string, agencyName: string, body: Html): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · ${esc(agencyName)}</title><style>${STYLE}.login{max-width:380px;margin:4rem auto;background:#fff;padding:1.5rem;border:1px solid #dde1e7;border-radius:8px}
.login label{display:block;margin:.6rem 0 .2rem}.login input{width:100%}.login button{margin-top:.8rem}</style></head><body><main>${body.value}</main></body></html>`;
}

export function csrfField(token: string): string {
  return `<input type="hidden" name="_csrf" value="${esc(token)}">`;
}

/** A POST form with the CSRF token. */
export function form(action: string, csrf: string, inner: Html | string, opts: { cls?: string; confirm?: string } = {}): Html {
  const onsubmit = opts.confirm ? ` onsubmit="return confirm('${esc(opts.confirm.replace(/'/g, ''))}')"` : '';
  return raw(`<form method="post" action="${esc(action)}" class="${opts.cls ?? 'inline'}"${onsubmit}>${csrfField(csrf)}${String(inner)}</form>`);
}

/** A WellSky record as a link when the agency config gives its web address, else its id in bold. */
export function wellskyRecord(template: string | undefined, label: string, id: string): Html {
  if (!template) return html`${label} <b>${id}</b>`;
  const href = template.replace('{id}', encodeURIComponent(id));
  return html`<a href="${href}" target="_blank" rel="noopener noreferrer">${label} ${id}</a>`;
}
