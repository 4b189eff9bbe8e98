/**
 * How a text leaves the building. One interface, two implementations:
 *  - the Twilio transport (twilio SDK; TWILIO_API_URL honoured through an httpClient that rewrites
 *    the request URL, because twilio-node has no base-URL option);
 *  - the dev transport, used when no Twilio credentials are set: nothing leaves the machine, the
 *    outbox row itself is the record (fake sid "SMdev…", status delivered), and `listSentTexts`
 *    shows it to the dev outbox page and the phone simulator.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type { Config } from '../config';
import { moduleLog, maskPhone, scrubString } from '../log';

const log = moduleLog('sms-transport');

export interface SmsSendRequest {
  to: string;
  body: string;
  from?: string;
  messagingServiceSid?: string;
  statusCallback?: string;
}

export interface SmsSendResult {
  sid: string;
  /** Twilio's status for the message when the transport knows it (the dev transport: 'delivered'). */
  status?: string;
}

export interface SmsLookupRequest {
  to: string;
  body: string;
  from?: string;
  /** When the ambiguous attempt began: only messages created since then match. */
  sentAfter: Date;
}

export interface SmsTransport {
  readonly kind: 'twilio' | 'dev';
  /** Resolves with Twilio's sid, or rejects with an SmsTransportError. */
  send(req: SmsSendRequest): Promise<SmsSendResult>;
  /**
   * After an ambiguous send (a timeout, a dropped connection, a 5xx: Twilio may have accepted it),
   * finds the message on Twilio if it was created: same To (and From), the same body, since the
   * attempt. Null when Twilio has no such message; rejects when Twilio cannot be asked.
   */
  lookup?(req: SmsLookupRequest): Promise<SmsSendResult | null>;
}

/** A failed send: Twilio's error `code` (21610, 21211 …) and HTTP `status`; both undefined for a network failure. */
export class SmsTransportError extends Error {
  readonly code?: number;
  readonly status?: number;
  /** The request may have reached Twilio and been accepted (timeout, dropped connection, 5xx): look it up before sending again. */
  readonly ambiguous: boolean;
  constructor(message: string, opts: { code?: number; status?: number; ambiguous?: boolean } = {}) {
    super(message);
    this.name = 'SmsTransportError';
    this.code = opts.code;
    this.status = opts.status;
    this.ambiguous = opts.ambiguous ?? false;
  }
}

/** Network errors after which the request cannot have reached Twilio (nothing to look up). */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_INVALID_URL']);

export type SendFailureKind = 'opted_out' | 'bad_number' | 'transient' | 'permanent';

/** What a failed send means for the outbox. */
export function classifySendError(err: unknown): SendFailureKind {
  const code = err instanceof SmsTransportError ? err.code : undefined;
  const status = err instanceof SmsTransportError ? err.status : undefined;
  if (code === 21610) return 'opted_out';
  if (code === 21211 || code === 21614) return 'bad_number';
  if (code === 20429 || status === 429) return 'transient';
  if (status === undefined || status >= 500) return 'transient'; // network, timeout, Twilio down
  return 'permanent';
}

// ---------------------------------------------------------------------------------------------
// Twilio
// ---------------------------------------------------------------------------------------------

export const TWILIO_API_BASE = 'https://api.twilio.com';

/** A RequestClient that sends api.twilio.com requests to `apiUrl` instead (Twilio-compatible test servers). */
export class RedirectingRequestClient extends twilio.RequestClient {
  constructor(private readonly apiUrl: string, opts?: RequestClient.RequestClientOptions) {
    super(opts);
    // The SDK only configures an https agent; a plain-http test server would otherwise get Node's
    // global keep-alive agent, which reuses sockets the server has just closed (ECONNRESET).
    this.axios.defaults.httpAgent = new http.Agent({ keepAlive: false });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const base = this.apiUrl.replace(/\/+$/, '');
    const uri = opts.uri.startsWith(TWILIO_API_BASE) ? base + opts.uri.slice(TWILIO_API_BASE.length) : opts.uri;
    return super.request<TData>({ ...opts, uri });
  }
}

export interface TwilioTransportOptions {
  accountSid: string;
  authToken: string;
  /** TWILIO_API_URL: send API calls here instead of https://api.twilio.com. */
  apiUrl?: string;
  /** PUBLIC_BASE_URL: status callbacks go to `${publicBaseUrl}/twilio/sms/status`. */
  publicBaseUrl?: string;
  timeoutMs?: number;
}

export const SMS_STATUS_CALLBACK_PATH = '/twilio/sms/status';

export function createTwilioTransport(opts: TwilioTransportOptions): SmsTransport {
  const requestOpts = { timeout: opts.timeoutMs ?? 10_000 };
  const httpClient = opts.apiUrl ? new RedirectingRequestClient(opts.apiUrl, requestOpts) : new twilio.RequestClient(requestOpts);
  const client = twilio(opts.accountSid, opts.authToken, { httpClient });
  const defaultCallback = opts.publicBaseUrl ? `${opts.publicBaseUrl.replace(/\/+$/, '')}${SMS_STATUS_CALLBACK_PATH}` : undefined;

  return {
    kind: 'twilio',
    async send(req) {
      if (!req.messagingServiceSid && !req.from) throw new SmsTransportError('no From number or Messaging Service to send from (set TWILIO_PHONE_NUMBER)', { status: 400 });
      const statusCallback = req.statusCallback ?? defaultCallback;
      try {
        const message = await client.messages.create({
          to: req.to,
          body: req.body,
          ...(req.messagingServiceSid ? { messagingServiceSid: req.messagingServiceSid } : { from: req.from }),
          ...(statusCallback ? { statusCallback } : {}),
        });
        return { sid: message.sid, status: message.status };
      } catch (err) {
        throw toTransportError(err);
      }
    },

    async lookup(req) {
      // Twilio's dates have whole seconds.
      const since = Math.floor(req.sentAfter.getTime() / 1000) * 1000;
      const matches = (m: { body: string; to: string; dateCreated?: Date | null }) =>
        m.body === req.body && m.to === req.to && (!m.dateCreated || m.dateCreated.getTime() >= since);
      try {
        // Messages list filtered by To, From and the date since the attempt, matching the body.
        const sent = await client.messages.list({ to: req.to, ...(req.from ? { from: req.from } : {}), dateSentAfter: req.sentAfter, limit: 50 });
        let found = sent.find(matches);
        if (!found) {
          // A message Twilio accepted but has not sent yet has no DateSent: look at the newest ones too.
          const recent = await client.messages.list({ to: req.to, ...(req.from ? { from: req.from } : {}), limit: 20 });
          found = recent.find(matches);
        }
        return found ? { sid: found.sid, status: found.status } : null;
      } catch (err) {
        throw toTransportError(err);
      }
    },
  };
}

function toTransportError(err: unknown): SmsTransportError {
  if (err instanceof SmsTransportError) return err;
  const e = err as { status?: unknown; code?: unknown; message?: unknown };
  const status = typeof e?.status === 'number' ? e.status : undefined;
  // RestException carries Twilio's numeric code; a network error carries a string code (ECONNREFUSED).
  const code = typeof e?.code === 'number' ? e.code : undefined;
  const networkCode = typeof e?.code === 'string' ? e.code : undefined;
  const detail = scrubString(String(e?.message ?? err));
  const message = status !== undefined
    ? `Twilio refused the message: HTTP ${status}${code ? `, error ${code}` : ''}: ${detail}`
    : `Twilio could not be reached${networkCode ? ` (${networkCode})` : ''}: ${detail}`;
  const ambiguous = status !== undefined ? status >= 500 : !(networkCode && NEVER_SENT.has(networkCode));
  return new SmsTransportError(message, { code, status, ambiguous });
}

// ---------------------------------------------------------------------------------------------
// Dev
// ---------------------------------------------------------------------------------------------

/** The dev transport: accepts every text, sends nothing; the outbox row is the dev outbox. */
export function createDevTransport(): SmsTransport {
  return {
    kind: 'dev',
    async send(req) {
      const sid = `SMdev${crypto.randomBytes(14).toString('hex')}`;
      log.info('dev text recorded in the outbox (not sent)', { to: maskPhone(req.to), sid, chars: req.body.length });
      return { sid, status: 'delivered' };
    },
  };
}

/** The transport the config asks for: Twilio with credentials, the dev outbox without. */
export function createTransport(twilioConfig: Config['twilio'], publicBaseUrl?: string, opts: { timeoutMs?: number } = {}): SmsTransport {
  if (twilioConfig.mode === 'dev') return createDevTransport();
  return createTwilioTransport({
    accountSid: twilioConfig.accountSid,
    authToken: twilioConfig.authTokens[0],
    apiUrl: twilioConfig.apiUrl,
    publicBaseUrl,
    timeoutMs: opts.timeoutMs,
  });
}

export { listSentTexts, listSentTexts as listDevTexts } from './outbox';
