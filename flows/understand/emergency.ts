/**
 * The two things any caller can say at any point: an emergency, and "a person, please".
 *
 * An emergency is a medical phrase ("she fell", "not breathing", "chest pain", "911", "se cayó",
 * "no respira"), unless clearly negated ("she didn't fall", "no, no se cayó"). A fall is treated
 * as an emergency even with "but she's fine": sending a caller to 911 needlessly costs less than
 * the opposite. The bare word "emergency"/"emergencia" counts only when the text is not about
 * being late or calling out: a caregiver late "because of an emergency" or with a "family
 * emergency" is not a medical emergency. "Emergency contact" and "emergency room" never count.
 * A medical phrase always counts, even in a lateness sentence ("I'll be late, my client fell").
 */
import { analyze, type Words } from './normalize';
import { allLexicons } from './lexicon';
import { compile, PhraseSet, type Match } from './phrases';
import { keywordMatches } from './keywords';

type EmergencyTag = 'medical' | 'generic' | 'neutral';

const emergencyPhrases = new PhraseSet<EmergencyTag>(
  allLexicons.flatMap((lexicon) => [
    ...compile<EmergencyTag>('medical', lexicon.emergency.medical),
    ...compile<EmergencyTag>('generic', lexicon.emergency.generic),
    ...compile<EmergencyTag>('neutral', lexicon.emergency.neutral),
  ]),
);

export function isEmergency(text: string): boolean {
  return emergencyMatch(analyze(text)) !== undefined;
}

/** The phrase that makes the text an emergency, if any. */
export function emergencyMatch(words: Words): Match<EmergencyTag> | undefined {
  const live = emergencyPhrases.find(words).filter((m) => !m.negated && m.tag !== 'neutral');
  const medical = live.find((m) => m.tag === 'medical');
  if (medical) return medical;
  const generic = live.find((m) => m.tag === 'generic');
  if (!generic) return undefined;
  const aboutAbsence = keywordMatches(words).some(
    (m) => !m.negated && (m.tag === 'late' || m.tag === 'callout' || m.tag === 'uncallout'),
  );
  return aboutAbsence ? undefined : generic;
}

type OperatorTag = 'phrase' | 'alone';

const operatorPhrases = new PhraseSet<OperatorTag>(
  allLexicons.flatMap((lexicon) => [
    ...compile<OperatorTag>('phrase', lexicon.operator.phrases),
    ...compile<OperatorTag>('alone', lexicon.operator.alone),
  ]),
);
const operatorFillers = new Set(allLexicons.flatMap((lexicon) => lexicon.operator.fillers));

/**
 * "operator", "representative", "speak to someone", "hablar con una persona", or the 0 key.
 * Short words like "a person" or "someone" count only when little else was said ("A person,
 * please") — "care for a person with dementia" is not a request for the operator.
 */
export function isOperatorRequest(text: string, digits?: string): boolean {
  if (digits?.trim() === '0') return true;
  return operatorMatch(analyze(text)) !== undefined;
}

export function operatorMatch(words: Words): Match<OperatorTag> | undefined {
  const live = operatorPhrases.find(words).filter((m) => !m.negated);
  const phrase = live.find((m) => m.tag === 'phrase');
  if (phrase) return phrase;
  return live.find(
    (m) =>
      m.tag === 'alone' &&
      words.words.every((word, i) => (i >= m.start && i < m.end) || operatorFillers.has(word)),
  );
}
