/**
 * Deterministic understanding of what callers say or text, in English and Spanish.
 * Pure: no I/O, no clock — `now` and the agency's time zone are passed in.
 */
export type { Lang, Intent, Understanding, ChoiceOption, DayTime, PartOfDay, Payer, Claim, Clock } from './types';
export { normalize } from './normalize';
export { understand, isSkip, mentions, answersLateOrCallOut } from './intent';
export { readUtterance, maySideReply, INFO_INTENTS, type Reading, type ReadingContext, type Expecting, type CallerRole, type Entities } from './score';
export { isEmergency, isOperatorRequest } from './emergency';
export { detectLanguage } from './language';
export { yesNo, parseClaim } from './yesno';
export { pickChoice, type Choice } from './choice';
export { parseEta, parseDayTime } from './when';
export { parseRelationship, relationshipOfCallerTo, parsePayer, parseZipOrCity, placeSaidAlongTheWay } from './lead';
