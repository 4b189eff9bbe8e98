/**
 * Posting webhooks the way Twilio does: form-encoded, signed with X-Twilio-Signature over the
 * public URL, sent to the address the server actually listens on.
 */
import crypto from 'node:crypto';
import twilio from 'twilio';
import { fetch as undiciFetch } from 'undici';

/** Any fetch-compatible function: global fetch, undici's fetch, or a test double. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;

export const defaultFetch: FetchLike = (url, init) => undiciFetch(url, init);

/** Used when neither --token nor TWILIO_AUTH_TOKEN is given; a dev-mode server ignores it. */
export const DEV_AUTH_TOKEN = 'dev-auth-token-for-the-phone-simulator';
export const DEV_ACCOUNT_SID = 'AC' + '0'.repeat(32);
export const DEFAULT_AGENCY_NUMBER = '+13035550100';

export function newSid(prefix: 'CA' | 'SM' | 'RE' | 'TR'): string {
  return prefix + crypto.randomBytes(16).toString('hex');
}

/** `+13035550105` → `+1303***0105`: enough to tell numbers apart, as the app's logs do. */
export function maskPhone(phone: string): string {
  return phone.length > 9 ? `${phone.slice(0, 5)}***${phone.slice(-4)}` : phone;
}

export function trimBase(url: string): string {
  return url.replace(/\/+$/, '');
}

export interface WebhookTarget {
  /** Where the server listens, e.g. http://localhost:3000. */
  base: string;
  /** What the server believes its public URL is (PUBLIC_BASE_URL); signatures are computed over it. */
  publicBase: string;
  authToken: string;
  fetchImpl: FetchLike;
}

export interface WebhookAnswer {
  status: number;
  contentType: string;
  body: string;
  /** The public URL that was signed (and that relative URLs in the answer resolve against). */
  url: string;
}

/**
 * Twilio resolves a URL written in TwiML against the URL of the document it came from.
 * Returns the public form: what the server would see as PUBLIC_BASE_URL + originalUrl.
 */
export function resolvePublicUrl(target: WebhookTarget, url: string, relativeTo?: string): string {
  const against = relativeTo ?? target.publicBase + '/';
  const resolved = new URL(url, against).toString();
  // A URL the app wrote with its own local address (not the public one) is mapped onto the public base.
  if (target.base !== target.publicBase && resolved.startsWith(target.base + '/')) {
    return target.publicBase + resolved.slice(target.base.length);
  }
  return resolved;
}

/** The address to send to: the public URL with its public base swapped for where the server listens. */
export function transportUrl(target: WebhookTarget, publicUrl: string): string {
  return publicUrl.startsWith(target.publicBase + '/') || publicUrl === target.publicBase
    ? target.base + publicUrl.slice(target.publicBase.length)
    : publicUrl;
}

export function signature(authToken: string, publicUrl: string, params: Record<string, string>): string {
  return twilio.getExpectedTwilioSignature(authToken, publicUrl, params);
}

/** Sends one webhook; for GET the parameters go in the query string and are signed as part of the URL. */
export async function sendWebhook(
  target: WebhookTarget,
  publicUrl: string,
  params: Record<string, string>,
  httpMethod: 'GET' | 'POST' = 'POST',
): Promise<WebhookAnswer> {
  let signedUrl = publicUrl;
  let body: string | undefined;
  const headers: Record<string, string> = { 'user-agent': 'TwilioProxy/1.1 (agency phone simulator)', accept: '*/*' };
  if (httpMethod === 'GET') {
    const u = new URL(publicUrl);
    for (const [k, v] of Object.entries(params)) u.searchParams.append(k, v);
    signedUrl = u.toString();
    headers['x-twilio-signature'] = signature(target.authToken, signedUrl, {});
  } else {
    body = new URLSearchParams(params).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
    headers['x-twilio-signature'] = signature(target.authToken, signedUrl, params);
  }
  const to = transportUrl(target, signedUrl);
  let res: Awaited<ReturnType<FetchLike>>;
  try {
    res = await target.fetchImpl(to, { method: httpMethod, headers, body });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new Error(`cannot reach ${to} (${cause}); is the server running? Start it with "npm start" or pass --base`);
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: await res.text(), url: publicUrl };
}
