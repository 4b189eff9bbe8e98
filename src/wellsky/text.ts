/**
 * What WellSky can store: no emoji and nothing outside the Basic Multilingual Plane (it answers
 * 422, field-verified — its database speaks 3-byte UTF-8). Every body the client writes passes
 * through `sanitizeForWrite`, so a caller's "😊" in a lead's notes never costs a failed write.
 */

// Astral code points (surrogate pairs in JS), plus the BMP pieces emoji are built from:
// emoji-presentation symbols, variation selector 16, zero-width joiner and the keycap mark.
const NON_BMP = /[\u{10000}-\u{10FFFF}]/gu;
const BMP_EMOJI = /[\p{Emoji_Presentation}\uFE0F\u200D\u20E3]/gu;

export function stripEmoji(text: string): string {
  return text.replace(NON_BMP, '').replace(BMP_EMOJI, '');
}

/** Cuts text to `max` characters, marking the cut, without splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = '…';
  return Array.from(text).slice(0, max - marker.length).join('') + marker;
}

/** A deep copy of a JSON body with every string stripped of emoji and non-BMP characters. */
export function sanitizeForWrite<T>(body: T): T {
  if (typeof body === 'string') return stripEmoji(body) as T;
  if (Array.isArray(body)) return body.map((v) => sanitizeForWrite(v)) as T;
  if (body && typeof body === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) out[k] = sanitizeForWrite(v);
    return out as T;
  }
  return body;
}
