/**
 * Phone numbers, one way for the whole product: E.164 inside ("+13035551234"), 10 digits on the
 * WellSky wire ("3035551234"), masked in logs (log.ts). Parsing is libphonenumber-js's job; a
 * number without a country code is read as a US number, because the agency is in the US.
 */
import { parsePhoneNumberFromString, type PhoneNumber } from 'libphonenumber-js';

function parse(input: unknown): PhoneNumber | undefined {
  if (typeof input === 'number' && Number.isFinite(input)) input = String(input);
  if (typeof input !== 'string') return undefined;
  const text = input.trim();
  if (!text) return undefined;
  return parsePhoneNumberFromString(text, 'US');
}

/**
 * Any written form of a phone number → E.164, or undefined when it is not a valid number.
 * "303-555-1234", "(303) 555-1234", "13035551234", "+1 303 555 1234", 3035551234 → "+13035551234".
 * An extension ("303-555-1234 x12") is dropped: callers and texts reach the main number.
 */
export function toE164(input: unknown): string | undefined {
  const parsed = parse(input);
  if (!parsed || !parsed.isValid()) return undefined;
  return parsed.number;
}

/** True for a valid US number (NANP +1 with a US area code), in any written form. */
export function isValidUsPhone(input: unknown): boolean {
  const parsed = parse(input);
  return Boolean(parsed && parsed.isValid() && parsed.countryCallingCode === '1' && parsed.country === 'US');
}

/**
 * A US phone in any form → the 10 digits WellSky expects ("+13035551234" → "3035551234").
 * Throws a RangeError naming the masked value when it is not a valid US number, because WellSky
 * would answer 400 "Invalid phone number format" anyway and the caller should decide what to do.
 */
export function toWellSkyPhone(input: unknown): string {
  const parsed = parse(input);
  if (!parsed || !parsed.isValid() || parsed.countryCallingCode !== '1' || parsed.country !== 'US') {
    const digits = String(input ?? '').replace(/\D/g, '');
    throw new RangeError(`not a valid US phone number (ending ${digits.slice(-4) || 'nothing'}): WellSky takes 10 US digits`);
  }
  return String(parsed.nationalNumber);
}

/** Like toWellSkyPhone, but undefined instead of an error (for optional fields). */
export function tryWellSkyPhone(input: unknown): string | undefined {
  return isValidUsPhone(input) ? toWellSkyPhone(input) : undefined;
}
