/** Which language is this text in? Counts frequent words of each language (lexicon `markers`). */
import { lexicons } from './lexicon';
import type { Lang } from './types';

const markers: Record<Lang, Set<string>> = {
  en: new Set(lexicons.en.markers),
  es: new Set(lexicons.es.markers),
};

/**
 * Spanish when Spanish words outnumber English ones ("hola", "necesito", "no puedo ir a mi
 * turno"); English when the reverse; undefined when neither is clear ("no", "ok", "Dorothy").
 * Spanish-only characters (ñ, ¿, ¡, accented vowels) count as one more Spanish word.
 */
export function detectLanguage(text: string): Lang | undefined {
  const plain = (text ?? '')
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/['’]/g, '');
  const words = plain.split(/[^a-z0-9]+/).filter(Boolean);
  let en = 0;
  let es = /[ñ¿¡áéíóú]/i.test(text ?? '') ? 1 : 0;
  for (const word of words) {
    if (markers.en.has(word)) en++;
    if (markers.es.has(word)) es++;
  }
  if (es > en) return 'es';
  if (en > es) return 'en';
  return undefined;
}
