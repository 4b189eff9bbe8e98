/**
 * The shape of a language's word lists, and the two lists merged. The words themselves live in
 * lexicon.en.ts and lexicon.es.ts; both languages are always matched, because callers mix them
 * ("sí, I can come") and a caller's language on file is only a hint.
 */
import type { PartOfDay, Payer } from './types';
import { en } from './lexicon.en';
import { es } from './lexicon.es';

/** Intents found by keywords (emergency, operator, yes and no have their own lists). */
export type KeywordIntent =
  | 'late'
  | 'callout'
  | 'uncallout'
  | 'medical'
  | 'whereIsCaregiver'
  | 'complaint'
  | 'newClient'
  | 'claimShift'
  | 'wrongNumber'
  | 'serviceArea'
  | 'hours'
  | 'services';

export type DayWord =
  | 'today'
  | 'tomorrow'
  | 'dayAfterTomorrow'
  | 'yesterday'
  | 'thisMorning'
  | 'thisAfternoon'
  | 'thisEvening'
  | 'tonight';

export interface Relation {
  /** How the person is named: "mother", "mom", "mamá". */
  words: string[];
  /** WellSky/HL7 code of the person named, relative to the speaker ("my mother" → MTH). */
  code: string;
  /** The speaker's code relative to that person ("my mother" → the speaker is her CHILD). */
  speakerIs: string;
}

export interface Lexicon {
  /** Strong phrases decide; weak ones ("sick", "problem") only when no strong phrase matched. */
  intents: Partial<Record<KeywordIntent, { strong: string[]; weak?: string[] }>>;
  /** Phrases that contain keywords but mean nothing here: "buenas tardes", "fell asleep". */
  neutral: string[];
  /** "Nobody came yesterday" is a complaint about a no-show, not a caregiver still on the way. */
  pastMarkers: string[];
  negators: string[];
  /** Words that end the reach of a negator: "not sick, just late", "no estoy enferma pero…". */
  clauseBreaks: string[];
  /** Negator-led phrases that negate nothing; "$" = end of sentence ("no sé" vs "no se cayó"). */
  falseNegations: string[];
  emergency: {
    /** Always an emergency unless negated ("she fell", "no respira"). */
    medical: string[];
    /** The bare word: an emergency unless the text is about being late or calling out. */
    generic: string[];
    /** Never an emergency: "family emergency", "emergency contact", "fell asleep". */
    neutral: string[];
  };
  operator: {
    phrases: string[];
    /** Only when they are (nearly) all that was said: "A person." but not "care for a person". */
    alone: string[];
    /** Words that may surround an `alone` phrase: "I want a person, please". */
    fillers: string[];
  };
  yes: string[];
  no: string[];
  /** Answers that are neither yes nor no: "I don't know", "no sé". */
  neither: string[];
  skip: string[];
  /**
   * Short answers to "are you running late, or can't you make it?": a bare "tarde" or "no puedo"
   * means one or the other only as the answer to that question.
   */
  lateOrCallOut: { late: string[]; callout: string[] };
  claim: { accept: string[]; decline: string[] };
  numbers: Record<string, number>;
  /** Number words that are also ordinary words: "one" (someone), "una" (a), "once". */
  looseNumbers: Record<string, number>;
  numberJoiners: string[];
  /** Single digits said in a row for codes and ZIPs: "oh" in "eight oh two one two". */
  digitWords: Record<string, number>;
  ordinals: Record<string, number>;
  /** "the other one", "la otra": after a correction, the one option not named before it. */
  otherOne: string[];
  /** Words before a bare number that make it a menu choice: "number 2", "option 2", "press 2". */
  menuWords: string[];
  days: Record<DayWord, string[]>;
  partsOfDay: Record<PartOfDay, string[]>;
  weekdays: Record<string, number>;
  next: string[];
  /** Words before a number that make it a clock time: "at 8", "by 9 30", "a las ocho". */
  timeLeads: string[];
  oclock: string[];
  am: string[];
  pm: string[];
  noon: string[];
  midnight: string[];
  /** After an hour: "y media" → 30, "y cuarto" → 15; before an hour: "half past" → 30. */
  minutesAfterHour: Record<string, number>;
  minutesBeforeHour: Record<string, number>;
  /** Before an hour, meaning minutes to it: "quarter to nine" → 8:45; after: "nueve menos cuarto". */
  toHourBefore: Record<string, number>;
  toHourAfter: Record<string, number>;
  minuteUnits: string[];
  hourUnits: string[];
  /** Whole durations in minutes: "half an hour" → 30, "media hora" → 30. */
  durations: Record<string, number>;
  /** After a number of hours: "2 and a half hours", "dos horas y media". */
  andAHalf: string[];
  relations: Relation[];
  /** The speaker naming themself: "I'm her …", "soy su …" followed by a relation. */
  selfIntro: string[];
  /** Words before a relation that make it someone else: "my mother", "for mom", "mi mamá". */
  possessives: string[];
  /** The care is for the speaker. */
  forSelf: string[];
  /** A caller who is a professional referring someone, wherever it is said. */
  professional: string[];
  /** Professional only when the speaker says it of themself: "I'm a nurse", "soy enfermera". */
  professionalIntro: string[];
  payers: Record<Payer, string[]>;
  /** Phrases that hide payer words: Spanish "va a" is not the VA. */
  payerNeutral: string[];
  cityLeads: string[];
  /** Said along the way, before a place: "my mom lives in Aurora", "vive en Lakewood". */
  livesIn: string[];
  /** Words after a city that are not part of it: "Denver, Colorado". */
  cityTrailers: string[];
  /** Frequent words that mark the language. */
  markers: string[];
  /** Evidence for the scored understanding (score.ts), beyond the intent phrases. */
  scoring: Scoring;
}

/** Why a complaint is urgent (on-call now), as flows/understand/complaint.ts names it. */
export type UrgentCue = 'neglect' | 'abuse' | 'injury' | 'theft' | 'noShow' | 'leftEarly' | 'cancelService';

export interface Scoring {
  /** Texting spellings and typos, word for word: "tmrw" → "tomorrow", "mak" → "make". */
  spellings: Record<string, string>;
  /** Words that open a question ("what", "are", "do you"): info intents need a question or a bare topic. */
  questionOpeners: string[];
  /** Greetings and fillers skipped before looking for a question opener or a bare topic. */
  fillers: string[];
  /** Urgent-sounding complaint phrases: evidence for a complaint, against every info answer. */
  urgent: Record<UrgentCue, string[]>;
  /** Words a message that IS a reply to a shift offer may hold besides the code ("YES 4821 thanks"). */
  claimFillers: string[];
  /** Answers to "is it about A, or B?" that pick the first or the second named. */
  pickFirst: string[];
  pickSecond: string[];
  /** The speaker as subject ("I", "I'm", "voy"): lateness said without it is someone else's. */
  firstPerson: string[];
  /** Someone else as subject ("she", "the caregiver", "ella"). */
  thirdPerson: string[];
  /** Self-corrections that take back what was just said: "no wait", "actually", "I mean". */
  corrections: string[];
}

const both = [en, es];
const merge = <K extends keyof Lexicon>(key: K): Lexicon[K][] => both.map((lexicon) => lexicon[key]);
const mergeRecords = <V>(records: Record<string, V>[]): Record<string, V> => Object.assign({}, ...records);

export const lexicons: Record<'en' | 'es', Lexicon> = { en, es };
export const allLexicons: Lexicon[] = both;

export const numberWords = mergeRecords(merge('numbers'));
export const looseNumberWords = mergeRecords(merge('looseNumbers'));
export const numberJoiners = merge('numberJoiners').flat();
/** Both languages' texting spellings; Spanish ones are only those that are no English word. */
export const spellings: Record<string, string> = Object.assign(Object.create(null), ...both.map((lexicon) => lexicon.scoring.spellings));

export const negation = {
  negators: new Set(merge('negators').flat()),
  clauseBreaks: new Set(merge('clauseBreaks').flat()),
  falseNegations: merge('falseNegations')
    .flat()
    .map((phrase) => phrase.split(/\s+/)),
};
