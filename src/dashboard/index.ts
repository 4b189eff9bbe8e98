/**
 * Ops pages: what the front door has been doing (conversations, messages for staff, texts, jobs,
 * the directory's last sync). HTTP basic auth, user `admin`, password ADMIN_PASSWORD; open only in
 * development without a password (production refuses to start without one).
 */
import express, { type Router } from 'express';
import { timingSafeEqual } from 'node:crypto';
import type { Services } from '../app';
import { maskPhone } from '../log';

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const esc = (v: unknown) =>
  String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function table(headers: string[], rows: unknown[][]): string {
  if (!rows.length) return '<p><em>none yet</em></p>';
  return `<table><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</table>`;
}

export function createDashboardRouter(s: Pick<Services, 'config' | 'db' | 'jobs' | 'directory'>): Router {
  const router = express.Router();
  const password = s.config.adminPassword;

  router.use((req, res, next) => {
    if (!password) return next();
    const header = req.header('authorization') ?? '';
    const [scheme, encoded] = header.split(' ');
    if (scheme === 'Basic' && encoded) {
      const [user, ...rest] = Buffer.from(encoded, 'base64').toString('utf8').split(':');
      if (user === 'admin' && safeEqual(rest.join(':'), password)) return next();
    }
    res.setHeader('WWW-Authenticate', 'Basic realm="front door dashboard"');
    res.status(401).send('Authentication required');
  });

  router.get('/', async (_req, res) => {
    const [conversations, messages, texts, jobCounts, lastSync] = await Promise.all([
      s.db.query<Record<string, unknown>>(
        `SELECT id, channel, caller_phone, status, turn, created_at, last_activity_at FROM conversations ORDER BY last_activity_at DESC LIMIT 25`,
      ),
      s.db.query<Record<string, unknown>>(
        `SELECT id, role, topic, caller_label, caller_phone, incomplete, transcription IS NOT NULL AS transcribed, created_at FROM staff_messages ORDER BY id DESC LIMIT 25`,
      ),
      s.db.query<Record<string, unknown>>(`SELECT id, to_phone, purpose, status, error_code, created_at FROM outbound_messages ORDER BY id DESC LIMIT 25`),
      s.jobs.countByStatus(),
      s.directory.lastSyncRun(),
    ]);
    res.type('html').send(`<!doctype html><html><head><meta charset="utf-8"><title>${esc(s.config.agency.agency.name)} · front door</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin-bottom:2rem}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#f4f4f4}</style></head>
<body><h1>${esc(s.config.agency.agency.name)} · front door</h1>
<p>WellSky: ${esc(s.config.wellsky.mode)} · Twilio: ${esc(s.config.twilio.mode)} · last directory sync: ${esc(lastSync ? `${lastSync.finishedAt ?? 'running'}${lastSync.error ? ` (failed: ${lastSync.error})` : ''}` : 'never')}</p>
<h2>Jobs</h2>${table(Object.keys(jobCounts), [Object.values(jobCounts)])}
<h2>Messages for staff</h2>${table(['ref', 'role', 'topic', 'caller', 'phone', 'incomplete', 'transcribed', 'at'], messages.rows.map((m) => [`M-${m.id}`, m.role, m.topic, m.caller_label, maskPhone(String(m.caller_phone)), m.incomplete, m.transcribed, m.created_at]))}
<h2>Conversations</h2>${table(['id', 'channel', 'caller', 'status', 'turns', 'started', 'last activity'], conversations.rows.map((c) => [c.id, c.channel, maskPhone(String(c.caller_phone)), c.status, c.turn, c.created_at, c.last_activity_at]))}
<h2>Texts sent</h2>${table(['id', 'to', 'purpose', 'status', 'error', 'at'], texts.rows.map((t) => [t.id, maskPhone(String(t.to_phone)), t.purpose, t.status, t.error_code, t.created_at]))}
</body></html>`);
  });

  return router;
}
