/**
 * The SMS opt-out ledger: who must not be texted, and why; and the opt-out and help keywords in
 * English and Spanish (docs/privacy.md "Opt-out and help keywords").
 *
 * Twilio enforces its own English keyword list on the agency number (STOP … blocks later sends
 * with error 21610; START, YES, UNSTOP lift the block), answers those words itself, and still
 * passes the message on to our webhook. We mirror that here, and also honour the Spanish keywords
 * Twilio does not know (PARAR, BAJA, ALTA, AYUDA …): the ledger is checked before every send, and
 * the product answers those words itself, once, in Spanish. A 21610 from Twilio writes to the
 * ledger too, so the two cannot drift apart for long.
 */
import type { Db, Queryable } from '../db';
import type { Clock } from '../clock';
import { moduleLog, maskPhone } from '../log';
import { toE164 } from '../phone';

const log = moduleLog('optout');

export type OptOutKeyword = 'stop' | 'start' | 'help';
export type KeywordLang = 'en' | 'es';

interface KeywordInfo {
  kind: OptOutKeyword;
  lang: KeywordLang;
  /** Twilio's default list: Twilio acts on it (blocks, unblocks) and answers it. */
  twilio: boolean;
}

const en = (kind: OptOutKeyword): KeywordInfo => ({ kind, lang: 'en', twilio: true });
const es = (kind: OptOutKeyword): KeywordInfo => ({ kind, lang: 'es', twilio: false });

const KEYWORDS: Record<string, KeywordInfo> = {
  // Twilio's default list: what Twilio itself acts on and answers.
  STOP: en('stop'), STOPALL: en('stop'), UNSUBSCRIBE: en('stop'), CANCEL: en('stop'), END: en('stop'), QUIT: en('stop'), REVOKE: en('stop'), OPTOUT: en('stop'),
  START: en('start'), UNSTOP: en('start'), YES: en('start'),
  HELP: en('help'), INFO: en('help'),
  // Spanish: Twilio does nothing with these by default, so the ledger honours them and the product answers.
  PARAR: es('stop'), BAJA: es('stop'), CANCELAR: es('stop'), DETENER: es('stop'), ALTO: es('stop'),
  ALTA: es('start'), INICIAR: es('start'), COMENZAR: es('start'),
  AYUDA: es('help'),
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
  return KEYWORDS[keywordOf(body)]?.kind ?? null;
}

/** The keyword's language: what the product answers in. */
export function keywordLanguage(body: string | null | undefined): KeywordLang | null {
  return KEYWORDS[keywordOf(body)]?.lang ?? null;
}

/** True when Twilio itself acts on this message by default (and answers it): reply with an empty <Response/>. */
export function isTwilioKeyword(body: string | null | undefined): boolean {
  return KEYWORDS[keywordOf(body)]?.twilio ?? false;
}

/** Sources whose opt-out Twilio enforces itself (error 21610 on every later send). */
const TWILIO_ENFORCED_SOURCES: OptOutSource[] = ['twilio_error', 'status_callback'];
const CHANNEL_OF: Record<OptOutSource, string> = { inbound: 'sms', staff: 'console', twilio_error: 'twilio', status_callback: 'twilio' };

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

/** What became of a keyword text (docs/privacy.md "Opt-out and help keywords"). */
export interface KeywordReceipt {
  /** The word as read ("PARAR"), its kind and language. */
  word: string;
  kind: OptOutKeyword;
  lang: KeywordLang;
  /**
   * Who answers the sender: `twilio` (its default English list, or any word the Messaging
   * Service's Advanced Opt-Out matched: the webhook then carries OptOutType), `product` (the
   * words Twilio does not answer), or `none` (a stop word from a number already opted out, or
   * a retried webhook: one answer per keyword).
   */
  answeredBy: 'twilio' | 'product' | 'none';
  /** What the product's answer says, when it answers. */
  answer?: 'opted_out' | 'opted_in' | 'already_in' | 'twilio_block' | 'help';
  optedOut: boolean;
  changed: boolean;
  /** The same MessageSid was seen before (Twilio retried the webhook). */
  duplicate: boolean;
}

export interface InboundKeywordText {
  phone: string;
  body: string;
  messageSid?: string;
  /** Twilio's OptOutType parameter (STOP, START, HELP): present when Advanced Opt-Out matched the word. */
  optOutType?: string;
}

export interface OptOutLedger {
  /**
   * A text that may be a keyword: records it once per MessageSid, changes the number's consent
   * as Twilio's rules say (a bare YES opts in only a number that is opted out; from anyone else
   * it is a reply, and this returns null), and says who answers. Null: not a keyword.
   */
  receiveKeyword(text: InboundKeywordText): Promise<KeywordReceipt | null>;
  /** Records an inbound text: a stop keyword opts the number out; a start keyword (YES included) opts it back in only if it was out. */
  recordInbound(phone: string, body: string): Promise<InboundKeywordResult>;
  isOptedOut(phone: string, tx?: Queryable): Promise<boolean>;
  /** Which of these numbers (as given) are opted out, in one query: for checking a whole list. */
  optedOutAmong(phones: string[], tx?: Queryable): Promise<Set<string>>;
  markOptedOut(phone: string, reason: string, source?: OptOutSource, tx?: Queryable): Promise<void>;
  markOptedIn(phone: string, reason: string, source?: OptOutSource, tx?: Queryable): Promise<void>;
  /** Every consent change of a number, oldest first: what, by which word, from where (channel) and when. */
  history(phone: string): Promise<{ optedOut: boolean; keyword: string | null; source: OptOutSource; channel: string; messageSid: string | null; at: Date }[]>;
}

/**
 * "Is this number opted out?" as an SQL expression, for a statement that must decide it together
 * with its own write (the outbox's single-statement insert). `phoneParam` is the placeholder
 * holding the number's `ledgerPhone` key.
 */
export function optedOutSql(phoneParam: string): string {
  return `COALESCE((SELECT opted_out FROM sms_opt_outs WHERE phone = ${phoneParam}), false)`;
}

/** The ledger's key for a number: E.164 when it parses, else the trimmed input. */
export function ledgerPhone(phone: string): string {
  return toE164(phone) ?? String(phone).trim();
}

export function createOptOutLedger({ db, clock }: { db: Db; clock: Clock }): OptOutLedger {
  /**
   * Sets the state; writes history only when it changes. Returns whether it changed.
   * `twilioBlocked`: whether Twilio enforces this opt-out itself (default: from the keyword and source).
   */
  async function setState(
    tx: Queryable, phone: string, optedOut: boolean, keyword: string, source: OptOutSource,
    opts: { twilioBlocked?: boolean; messageSid?: string } = {},
  ): Promise<boolean> {
    const now = clock.now().toISOString();
    const blocked = optedOut && (opts.twilioBlocked ?? (TWILIO_ENFORCED_SOURCES.includes(source) || (KEYWORDS[keyword]?.twilio ?? false)));
    const current = await tx.query<{ opted_out: boolean; twilio_blocked: boolean }>('SELECT opted_out, twilio_blocked FROM sms_opt_outs WHERE phone = $1 FOR UPDATE', [phone]);
    const wasOut = current.rows[0]?.opted_out ?? false;
    if (current.rows.length && wasOut === optedOut) {
      // Already out, and now Twilio blocks the number too (a STOP after a PARAR): only Twilio's words lift it.
      if (blocked && !current.rows[0].twilio_blocked) await tx.query('UPDATE sms_opt_outs SET twilio_blocked = true WHERE phone = $1', [phone]);
      return false;
    }
    if (!current.rows.length && !optedOut) return false; // never opted out: nothing to lift
    await tx.query(
      `INSERT INTO sms_opt_outs (phone, opted_out, keyword, twilio_blocked, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (phone) DO UPDATE SET opted_out = EXCLUDED.opted_out, keyword = EXCLUDED.keyword, twilio_blocked = EXCLUDED.twilio_blocked, updated_at = EXCLUDED.updated_at`,
      [phone, optedOut, keyword, blocked, now],
    );
    await tx.query('INSERT INTO sms_opt_out_history (phone, opted_out, keyword, source, channel, message_sid, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      phone, optedOut, keyword, source, CHANNEL_OF[source], opts.messageSid ?? null, now,
    ]);
    log.info(optedOut ? 'number opted out of texts' : 'number opted back in to texts', { phone: maskPhone(phone), keyword, source });
    return true;
  }

  async function receiveKeyword(text: InboundKeywordText): Promise<KeywordReceipt | null> {
    const word = keywordOf(text.body);
    const info = KEYWORDS[word];
    if (!info) return null;
    const phone = ledgerPhone(text.phone);
    return db.transaction(async (tx) => {
      const current = await tx.query<{ opted_out: boolean; twilio_blocked: boolean }>('SELECT opted_out, twilio_blocked FROM sms_opt_outs WHERE phone = $1 FOR UPDATE', [phone]);
      const wasOut = current.rows[0]?.opted_out ?? false;
      const base = { word, kind: info.kind, lang: info.lang };
      if (text.messageSid) {
        // A retried webhook: answered (or not) the first time; never twice.
        const seen = await tx.query('SELECT 1 FROM sms_keyword_messages WHERE message_sid = $1', [text.messageSid]);
        if (seen.rows.length) return { ...base, answeredBy: 'none', optedOut: wasOut, changed: false, duplicate: true };
      }
      // A bare YES from a subscribed number is a reply to us (a shift claim), not a keyword.
      if (word === 'YES' && !wasOut) return null;
      // Twilio acts on its own words, and on any word Advanced Opt-Out matched (it says so in OptOutType).
      const twilioActs = info.twilio || !!text.optOutType;
      let changed = false;
      let answer: KeywordReceipt['answer'];
      if (info.kind === 'stop') {
        changed = await setState(tx, phone, true, word, 'inbound', { twilioBlocked: twilioActs, messageSid: text.messageSid });
        answer = changed ? 'opted_out' : undefined;
      } else if (info.kind === 'start') {
        if (wasOut && current.rows[0].twilio_blocked && !twilioActs) {
          // Twilio still blocks this number (an English STOP): our ALTA cannot lift that, only START can.
          answer = 'twilio_block';
        } else {
          changed = await setState(tx, phone, false, word, 'inbound', { messageSid: text.messageSid });
          answer = changed ? 'opted_in' : 'already_in';
        }
      } else {
        answer = 'help';
      }
      const answeredBy: KeywordReceipt['answeredBy'] = twilioActs ? 'twilio' : answer ? 'product' : 'none';
      if (text.messageSid) {
        await tx.query(
          `INSERT INTO sms_keyword_messages (message_sid, phone, keyword, kind, lang, answered_by, consent_changed, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (message_sid) DO NOTHING`,
          [text.messageSid, phone, word, info.kind, info.lang, answeredBy, changed, clock.now().toISOString()],
        );
      }
      const optedOut = info.kind === 'stop' || (info.kind === 'start' ? answer === 'twilio_block' : wasOut);
      log.info('keyword text', { phone: maskPhone(phone), keyword: word, answeredBy, changed });
      return { ...base, answeredBy, answer: answeredBy === 'product' ? answer : undefined, optedOut, changed, duplicate: false };
    });
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
    receiveKeyword,

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
      const res = await db.query<{ opted_out: boolean; keyword: string | null; source: OptOutSource; channel: string; message_sid: string | null; created_at: Date | string }>(
        'SELECT opted_out, keyword, source, channel, message_sid, created_at FROM sms_opt_out_history WHERE phone = $1 ORDER BY id',
        [ledgerPhone(phone)],
      );
      return res.rows.map((r) => ({ optedOut: r.opted_out, keyword: r.keyword, source: r.source, channel: r.channel, messageSid: r.message_sid, at: new Date(r.created_at) }));
    },
  };
}
