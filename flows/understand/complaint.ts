/**
 * Triage of a complaint in the caller's words (design.md, "Complaint"): an emergency goes the
 * shared emergency path; neglect, abuse, injury, theft, a no-show, a caregiver who left early or a
 * threat to cancel service is urgent (on-call now); anything else is a normal case with a callback.
 */
import { isEmergency } from './emergency';
import { normalize } from './normalize';
import { readUtterance } from './score';

export type Severity = 'emergency' | 'urgent' | 'normal';
export type UrgentReason = 'neglect' | 'abuse' | 'injury' | 'theft' | 'noShow' | 'leftEarly' | 'cancelService';

/** Checked in this order; the first that matches names the reason. Normalized words, en and es. */
const URGENT: [UrgentReason, RegExp][] = [
  ['abuse', /\b(abus\w*|hit (him|her|me|my|them)|slapp?\w*|push(ed)? (him|her|me)|yell\w* at|scream\w* at|threaten\w*|maltrat\w*|golpe\w*|le pego|grit\w*)\b/],
  ['injury', /\b(injur\w*|hurt|bruis\w*|wound\w*|lastim\w*|herid\w*|moreton\w*)\b/],
  ['theft', /\b(stole|stolen|steal\w*|theft|missing (money|jewel\w*|cash|ring|medication\w*|pills)|took (money|cash|his|her|my)|rob\w*|rob[oó]|robad\w*|falta dinero)\b/],
  ['neglect', /\b(neglect\w*|left (him|her|them) alone|left alone|sitting in|soiled|dirty diaper|didnt feed|did not feed|not fed|no (le|la) (dio|dieron) de comer|descuid\w*|abandon\w*)\b/],
  ['noShow', /\b(no show|didnt show|did not show|never (showed|came|arrived|came back)|nobody (came|showed)|no one (came|showed)|didnt come|did not come|not show(ed)? up|no (vino|llego|llegaron)|nadie (vino|llego)|no vino nadie)\b/],
  ['leftEarly', /\b(left early|left( \w+){1,3} early|leaves early|leaving early|went home early|left before|se fue (temprano|antes)|salio temprano)\b/],
  ['cancelService', /\b(cancel\w*|going to (stop|quit|end) (the )?service|find (another|a different) agency|switch\w* agenc\w*|fire (you|the agency)|cancelar|otra agencia)\b/],
];

export function triageComplaint(text: string | undefined): { severity: Severity; reason?: UrgentReason } {
  if (!text) return { severity: 'normal' };
  if (isEmergency(text)) return { severity: 'emergency' };
  const words = normalize(text);
  for (const [reason, pattern] of URGENT) if (pattern.test(words)) return { severity: 'urgent', reason };
  // The lexicons' urgent cues (flows/understand/lexicon.*.ts), which the router's reading also
  // uses, see what these patterns miss: "left my mother alone two hours early yesterday".
  const cue = readUtterance(text).urgentCue;
  if (cue) return { severity: 'urgent', reason: cue };
  return { severity: 'normal' };
}

/**
 * The gist of what a caller said, to read back and to put in a staff text: the first sentence or
 * so, at most `maxWords` words, with an ellipsis when cut.
 */
export function gist(text: string, maxWords = 18): string {
  const words = text.trim().replace(/\s+/g, ' ').split(' ');
  const cut = words.slice(0, maxWords).join(' ').replace(/[.,;:!?]+$/, '');
  return words.length > maxWords ? `${cut}…` : cut;
}

/** "I want to leave a message", "record", "dejar un mensaje": the caller prefers a recording. */
export function wantsToRecord(text: string): boolean {
  return /\b(leave a (voice )?message|voicemail|record|dejar (un )?mensaje|grabar)\b/.test(normalize(text));
}

/**
 * Whether words handed over by the router already tell what happened ("the caregiver left early
 * yesterday"), or only say that there is a complaint ("I want to make a complaint").
 */
export function describesWhatHappened(text: string | undefined): boolean {
  if (!text) return false;
  if (triageComplaint(text).severity !== 'normal') return true;
  const stripped = normalize(text)
    .replace(/\b(hi|hello|yes|i|im|want|would like|need|to|make|file|have|a|an|about|the|my|complaint|complain\w*|concern|problem|issue|quiero|tengo|hacer|poner|una|queja|problema|con|de|el|la)\b/g, ' ')
    .trim();
  return stripped.split(/\s+/).filter(Boolean).length >= 4;
}
