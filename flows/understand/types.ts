/** Shared shapes of the understanding module. */

export type Lang = 'en' | 'es';

export type Intent =
  | 'callout'
  | 'late'
  | 'uncallout'
  | 'complaint'
  | 'whereIsCaregiver'
  | 'newClient'
  | 'claimShift'
  | 'hours'
  | 'serviceArea'
  | 'services'
  | 'medical'
  | 'operator'
  | 'emergency'
  | 'wrongNumber'
  | 'yes'
  | 'no'
  | 'unknown';

export interface Understanding {
  intent: Intent;
  /** The language of the text when it is clear, else undefined. */
  lang: Lang | undefined;
  /** True when the text negated an intent keyword ("I'm not calling out"); that intent was set aside. */
  negated: boolean;
  confidence: 'high' | 'low';
  /** The (normalized) keyword or phrase that decided the intent, or the negated one when nothing else matched. */
  matched?: string;
}

export type PartOfDay = 'morning' | 'afternoon' | 'evening' | 'night';

export interface DayTime {
  /** Agency-local date, YYYY-MM-DD. */
  date?: string;
  partOfDay?: PartOfDay;
  /** 0–23 when AM/PM is known (said, or implied by the part of day); else the hour as said, 1–12. */
  hour?: number;
  minute?: number;
  /** True when an hour was said without AM/PM or a part of day ("at 8"): it may be 8 or 20. */
  ambiguousMeridiem?: boolean;
}

export interface ChoiceOption {
  id: string;
  /** UTC ISO instant. */
  startIso: string;
  endIso: string;
  clientFirstName?: string;
  label?: string;
}

export interface Clock {
  /** UTC ISO instant. */
  now: string;
  /** IANA zone of the agency, e.g. America/Denver. */
  timezone: string;
}

export type Payer = 'private' | 'ltc_insurance' | 'va' | 'medicaid' | 'unknown';

export interface Claim {
  /** The claim code when one was given ("YES 4821" → '4821'). */
  code?: string;
  /** A yes without a code ("YES", "sí"): valid when the caregiver holds exactly one open offer. */
  bare: boolean;
  /** The caregiver turned the offer down ("NO", "can't", "no puedo"). */
  decline: boolean;
}
