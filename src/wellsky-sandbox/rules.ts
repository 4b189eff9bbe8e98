/**
 * WellSky's input rules as the field found them (docs/wellsky-api.md): 10-digit phones (400),
 * no characters outside the Basic Multilingual Plane (422), the agency id in meta.tag of every
 * write (422). Each failure is an HttpError carrying the body WellSky would answer.
 */
import type { ContactPoint, Meta } from './resources';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(typeof body.error === 'string' ? body.error : typeof body.message === 'string' ? body.message : `HTTP ${status}`);
  }
}

export const PHONE_ERROR = { error: 'Invalid phone number format. Must be 10 digits.' };

const TEN_DIGITS = /^[2-9]\d{9}$/;
const TEN_DIGITS_WITH_EXTENSION = /^[2-9]\d{9}(x\d{1,6})?$/;

export function isValidPhone(value: unknown, allowExtension = false): boolean {
  return typeof value === 'string' && (allowExtension ? TEN_DIGITS_WITH_EXTENSION : TEN_DIGITS).test(value);
}

/** The ten digits of a stored phone value, without a work extension. */
export function phoneDigits(value: string): string {
  return value.split('x')[0];
}

export function assertPhoneParam(value: string | undefined, allowExtension = false): void {
  if (value !== undefined && !isValidPhone(value, allowExtension)) throw new HttpError(400, PHONE_ERROR);
}

export function assertTelecom(telecom: unknown): void {
  if (telecom === undefined) return;
  if (!Array.isArray(telecom)) throw unprocessable('telecom must be an array');
  for (const point of telecom as ContactPoint[]) {
    if (!point || typeof point !== 'object') throw unprocessable('telecom entries must be objects');
    if (point.system !== 'phone' && point.system !== 'sms') continue;
    if (!isValidPhone(point.value, point.use === 'work')) throw new HttpError(400, PHONE_ERROR);
  }
}

// A lone surrogate half is how JavaScript strings hold anything beyond U+FFFF (emoji and the like).
const OUTSIDE_BMP = /[\uD800-\uDFFF]/;

/** Throws 422 when any string (key or value) anywhere in `value` leaves the BMP. */
export function assertBmpOnly(value: unknown, path = 'body'): void {
  if (typeof value === 'string') {
    if (OUTSIDE_BMP.test(value)) throw unprocessable(`${path} contains a character outside the Basic Multilingual Plane`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertBmpOnly(v, `${path}[${i}]`));
    return;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (OUTSIDE_BMP.test(k)) throw unprocessable(`${path} has a key outside the Basic Multilingual Plane`);
      assertBmpOnly(v, `${path}.${k}`);
    }
  }
}

export function assertAgencyTag(meta: unknown, agencyId: string): void {
  const tags = (meta as Meta | undefined)?.tag;
  const tag = Array.isArray(tags) ? tags.find((t) => t && t.code === 'agencyId') : undefined;
  if (!tag) throw unprocessable('meta.tag must contain {"code":"agencyId","display":"<agency id>"}');
  if (String(tag.display) !== agencyId) throw unprocessable(`meta.tag agencyId "${String(tag.display)}" is not this client's agency`);
}

export function unprocessable(detail: string): HttpError {
  return new HttpError(422, { error: 'Unprocessable Entity', message: detail });
}

export function badRequest(detail: string): HttpError {
  return new HttpError(400, { error: detail });
}

export function notFound(what: string): HttpError {
  return new HttpError(404, { error: `${what} not found` });
}
