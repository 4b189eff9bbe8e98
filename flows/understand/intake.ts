/**
 * Names in a new client's intake answers: "my name is Susan Park", "this is Susan", "Susan",
 * "her name is Ruth Park", "mi mamá se llama Rosa". Returns the name title-cased, or undefined
 * when the answer holds no name.
 */
const LEAD_INS = [
  'my name is', 'name is', 'this is', 'i am', 'im', 'it is', 'its', 'i m', 'her name is', 'his name is', 'their name is',
  'she is', 'he is', 'shes', 'hes', 'me llamo', 'mi nombre es', 'soy', 'se llama', 'ella es', 'el es', 'yes', 'sure', 'si', 'ok', 'okay',
  'is', 'es', 'oh', 'um', 'uh', 'well', 'so',
];
const STOP_WORDS = new Set([
  'and', 'i', 'im', 'calling', 'for', 'from', 'about', 'my', 'the', 'a', 'her', 'his', 'she', 'he', 'we', 'who', 'with', 'in', 'y', 'de',
  'mi', 'para', 'por', 'llamo', 'she s', 'mother', 'father', 'mom', 'dad', 'wife', 'husband', 'son', 'daughter', 'care', 'needs', 'need',
  'lives', 'live', 'is', 'was', 'es', 'the', 'hi', 'hello', 'hola', 'thanks', 'thank', 'you', 'please',
]);
const NOT_NAMES = new Set(['myself', 'me', 'yes', 'no', 'skip', 'mom', 'dad', 'mother', 'father', 'self', 'yo', 'mama', 'papa']);

/**
 * Words of a clause that only lead up to a name, said before it: "Oh, my name, sure, it's Susan",
 * "Her name, my mom's name, is Ruth". Such clauses are passed over; any other first clause decides.
 */
const INTRO_WORDS = new Set([
  'oh', 'um', 'uh', 'umm', 'uhm', 'well', 'so', 'sure', 'yeah', 'yes', 'ok', 'okay', 'right', 'alright', 'hi', 'hello', 'hola', 'pues', 'bueno', 'claro', 'si',
  'my', 'her', 'his', 'their', 'the', 'name', 'names', 'full', 'first', 'last', 'is', 'its', 'it', 'mi', 'su', 'nombre', 'es',
  'mom', 'moms', 'mother', 'mothers', 'dad', 'dads', 'father', 'fathers', 'husband', 'husbands', 'wife', 'wifes', 'mama', 'papa', 'de',
]);

export function parsePersonName(text: string): string | undefined {
  const clauses = text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[.,;!?\n]/)
    .map((clause) =>
      clause
        .replace(/[^A-Za-z' -]+/g, ' ')
        .replace(/'/g, '')
        .trim()
        .split(/\s+/)
        .filter(Boolean),
    );
  let at = clauses.findIndex((words) => words.length > 0 && !words.every((w) => INTRO_WORDS.has(w.toLowerCase())));
  if (at < 0) return undefined;
  const name = nameIn(clauses[at]);
  if (!name) return undefined;
  // Said again, in full: "it's Susan, Susan Park".
  for (at++; at < clauses.length; at++) {
    const again = nameIn(clauses[at]);
    if (!again || again.length <= name.length || again.slice(0, name.length).join(' ') !== name.join(' ')) break;
    name.splice(0, name.length, ...again);
  }
  return name.join(' ');
}

function nameIn(clause: string[]): string[] | undefined {
  let words = clause;
  const lower = () => words.map((w) => w.toLowerCase()).join(' ');
  for (let changed = true; changed; ) {
    changed = false;
    for (const lead of LEAD_INS) {
      if (lower() === lead || lower().startsWith(`${lead} `)) {
        words = words.slice(lead.split(' ').length);
        changed = true;
      }
    }
  }
  const name: string[] = [];
  for (const word of words) {
    if (STOP_WORDS.has(word.toLowerCase()) || name.length === 3) break;
    name.push(word);
  }
  if (name.length === 0 || (name.length === 1 && NOT_NAMES.has(name[0].toLowerCase()))) return undefined;
  return name.map((w) => w[0].toUpperCase() + w.slice(1).toLowerCase());
}

/** "+13035550177", "303 555 0177", "three oh three…" spelled as digits: a 10-digit US phone in E.164. */
export function parsePhone(text: string): string | undefined {
  const digits = text.replace(/\D/g, '');
  if (digits.length === 10) return `+1${digits}`;
  if (digits.length === 11 && digits.startsWith('1')) return `+${digits}`;
  return undefined;
}
