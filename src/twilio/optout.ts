/**
 * The SMS opt-out ledger: who must not be texted, and why.
 *
 * Twilio enforces its own keyword list on the agency number (STOP … blocks later sends with error
 * 21610; START, YES, UNSTOP lift the block) and still passes the message on to our webhook. We
 * mirror that here, and also honour Spanish keywords Twilio does not know (PARAR, ALTO …), so a
 * caregiver who writes in Spanish is never texted again either. The ledger is checked before every
 * send; a 21610 from Twilio writes to it too, so the two cannot drift apart for long.
 */
import type { Db, Queryable } from '../db';
import type { Clock } from '../clock';
import { moduleLog, maskPhone } from '../log';
import { toE164 } from '../phone';

const log = moduleLog('optout');

export type OptOutKeyword = 'stop' | 'start' | 'help';

// Twilio's default list: what Twilio itself acts on (blocks, unblocks, answers).
const TWILIO_KEYWORDS: Record<string, OptOutKeyword> = {
  STOP: 'stop', STOPALL: 'stop', UNSUBSCRIBE: 'stop', END: 'stop', QUIT: 'stop', REVOKE: 'stop', OPTOUT: 'stop', CANCEL: 'stop',
  START: 'start', YES: 'start', UNSTOP: 'start',
  HELP: 'help', INFO: 'help',
};

// Spanish equivalents: Twilio does nothing with these by default, so the ledger is what honours them.
const SPANISH_KEYWORDS: Record<string, OptOutKeyword> = {
  PARAR: 'stop', DETENER: 'stop', CANCELAR: 'stop', ALTO: 'stop',
  COMENZAR: 'start', INICIAR: 'start',
  AYUDA: 'help',
};

/** The message as a keyword candidate: trimmed, upper case, accents and trailing . or ! dropped. */
function keywordOf(body: string | null | undefined): string {
  return String(body ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .trim()
    .replace(/[.!]+$/, '')
    .trim()
    .toUpperCase();
}

/** 'stop' | 'start' | 'help' when the whole message is an opt-out keyword (English or Spanish), else null. */
export function classifyKeyword(body: string | null | undefined): OptOutKeyword | null {
  const word = keywordOf(body);
  return TWILIO_KEYWORDS[word] ?? SPANISH_KEYWORDS[word] ?? null;
}

/** True when Twilio itself acts on this message (and answers it): reply with an empty <Response/>. */
export function isTwilioKeyword(body: string | null | undefined): boolean {
  return keywordOf(body) in TWILIO_KEYWORDS;
}

export type OptOutSource = 'inbound' | 'twilio_error' | 'status_callback' | 'staff';

export interface InboundKeywordResult {
  keyword: OptOutKeyword | null;
  /** Twilio acts on this word itself (and sends its own reply). */
  twilioKeyword: boolean;
  /** The number's state after this message. */
  optedOut: boolean;
  /** True when this message changed the ledger (a STOP from a subscribed number, a START/YES from an opted-out one). */
  changed: boolean;
}

export interface OptOutLedger {
  /** Records an inbound text: a stop keyword opts the number out; a start keyword (YES included) opts it back in only if it was out. */
  recordInbound(phone: string, body: string): Promise<InboundKeywordResult>;
  isOptedOut(phone: string, tx?: Queryable): Promise<boolean>;
  /** Which of these numbers (as given) are opted out, in one query: for checking a whole list. */
  optedOutAmong(phones: string[], tx?: Queryable): Promise<Set<string>>;
  markOptedOut(phone: string, reason: string, source?: OptOutSource, tx?: Queryable): Promise<void>;
  markOptedIn(phone: string, reason: string, source?: OptOutSource, tx?: Queryable): Promise<void>;
  history(phone: string): Promise<{ optedOut: boolean; keyword: string | null; source: OptOutSource; at: Date }[]>;
}

/** The ledger's key for a number: E.164 when it parses, else the trimmed input. */
export function ledgerPhone(phone: string): string {
  return toE164(phone) ?? String(phone).trim();
}

export function createOptOutLedger({ db, clock }: { db: Db; clock: Clock }): OptOutLedger {
  /** Sets the state; writes history only when it changes. Returns whether it changed. */
  async function setState(tx: Queryable, phone: string, optedOut: boolean, keyword: string, source: OptOutSource): Promise<boolean> {
    const now = clock.now().toISOString();
    const current = await tx.query<{ opted_out: boolean }>('SELECT opted_out FROM sms_opt_outs WHERE phone = $1 FOR UPDATE', [phone]);
    const wasOut = current.rows[0]?.opted_out ?? false;
    if (current.rows.length && wasOut === optedOut) return false;
    if (!current.rows.length && !optedOut) return false; // never opted out: nothing to lift
    await tx.query(
      `INSERT INTO sms_opt_outs (phone, opted_out, keyword, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (phone) DO UPDATE SET opted_out = EXCLUDED.opted_out, keyword = EXCLUDED.keyword, updated_at = EXCLUDED.updated_at`,
      [phone, optedOut, keyword, now],
    );
    await tx.query('INSERT INTO sms_opt_out_history (phone, opted_out, keyword, source, created_at) VALUES ($1, $2, $3, $4, $5)', [
      phone, optedOut, keyword, source, now,
    ]);
    log.info(optedOut ? 'number opted out of texts' : 'number opted back in to texts', { phone: maskPhone(phone), keyword, source });
    return true;
  }

  async function change(phone: string, optedOut: boolean, keyword: string, source: OptOutSource, tx?: Queryable): Promise<boolean> {
    const key = ledgerPhone(phone);
    if (tx) return setState(tx, key, optedOut, keyword, source);
    return db.transaction((t) => setState(t, key, optedOut, keyword, source));
  }

  async function isOptedOut(phone: string, tx: Queryable = db): Promise<boolean> {
    const res = await tx.query<{ opted_out: boolean }>('SELECT opted_out FROM sms_opt_outs WHERE phone = $1', [ledgerPhone(phone)]);
    return res.rows[0]?.opted_out === true;
  }

  async function optedOutAmong(phones: string[], tx: Queryable = db): Promise<Set<string>> {
    const given = new Map<string, string[]>();
    for (const phone of phones) given.set(ledgerPhone(phone), [...(given.get(ledgerPhone(phone)) ?? []), phone]);
    if (!given.size) return new Set();
    const res = await tx.query<{ phone: string }>('SELECT phone FROM sms_opt_outs WHERE opted_out AND phone = ANY($1::text[])', [[...given.keys()]]);
    return new Set(res.rows.flatMap((r) => given.get(r.phone) ?? []));
  }

  return {
    isOptedOut,
    optedOutAmong,

    async recordInbound(phone, body) {
      const keyword = classifyKeyword(body);
      const twilioKeyword = isTwilioKeyword(body);
      let changed = false;
      if (keyword === 'stop') changed = await change(phone, true, keywordOf(body), 'inbound');
      else if (keyword === 'start') changed = await change(phone, false, keywordOf(body), 'inbound');
      return { keyword, twilioKeyword, optedOut: await isOptedOut(phone), changed };
    },

    async markOptedOut(phone, reason, source = 'staff', tx) {
      await change(phone, true, reason, source, tx);
    },

    async markOptedIn(phone, reason, source = 'staff', tx) {
      await change(phone, false, reason, source, tx);
    },

    async history(phone) {
      const res = await db.query<{ opted_out: boolean; keyword: string | null; source: OptOutSource; created_at: Date | string }>(
        'SELECT opted_out, keyword, source, created_at FROM sms_opt_out_history WHERE phone = $1 ORDER BY id',
        [ledgerPhone(phone)],
      );
      return res.rows.map((r) => ({ optedOut: r.opted_out, keyword: r.keyword, source: r.source, at: new Date(r.created_at) }));
    },
  };
}
