/**
 * The person on the phone: what they say or press at each Gather or Record, typed at a prompt or
 * read from a script (one line per prompt).
 *
 * Script lines: `say: text`, `press: 12`, plain text (speech; a line of only digits, # and * is
 * key presses), `silence`, `hangup`, `dial: no-answer` (how the next <Dial> ends), `# comment`.
 */
export type DialOutcome = 'completed' | 'no-answer' | 'busy' | 'failed';
export const DIAL_OUTCOMES: readonly DialOutcome[] = ['completed', 'no-answer', 'busy', 'failed'];

export type CallerLine =
  | { kind: 'speech'; text: string }
  | { kind: 'digits'; digits: string }
  | { kind: 'silence' }
  | { kind: 'hangup' }
  | { kind: 'dial'; outcome: DialOutcome };

/** What the caller is being asked for; an interactive caller shows it in the prompt. */
export type CallerAsk = { kind: 'gather'; speech: boolean; dtmf: boolean } | { kind: 'record' };

export interface Caller {
  /** The next answer, or undefined when the caller has nothing more to say (a script ran out). */
  next(ask: CallerAsk): Promise<CallerLine | undefined>;
  /** A `dial:` line waiting at the head of the script, taken when a <Dial> starts. */
  takeDialOutcome?(): DialOutcome | undefined;
}

export class ScriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScriptError';
  }
}

/** Parses one line; blank lines and `#` comments give undefined. */
export function parseCallerLine(raw: string, where = 'script line'): CallerLine | undefined {
  const line = raw.trim();
  if (line === '' || (line.startsWith('#') && !/^[#*\d]+$/.test(line))) return undefined;
  const lower = line.toLowerCase();
  if (lower === 'hangup' || lower === 'hang up') return { kind: 'hangup' };
  if (lower === 'silence' || lower === 'press:' || lower === 'say:') return { kind: 'silence' };
  const directive = /^(say|press|dial)\s*:\s*(.*)$/i.exec(line);
  if (directive) {
    const [, name, rest] = directive;
    const value = rest.trim();
    switch (name.toLowerCase()) {
      case 'say':
        return { kind: 'speech', text: value };
      case 'press': {
        const digits = value.replace(/[\s,]/g, '');
        if (!/^[\d#*]+$/.test(digits)) throw new ScriptError(`${where}: "press: ${value}" — only digits, # and * can be pressed`);
        return { kind: 'digits', digits };
      }
      default: {
        const outcome = value.toLowerCase() as DialOutcome;
        if (!DIAL_OUTCOMES.includes(outcome)) {
          throw new ScriptError(`${where}: "dial: ${value}" — the outcome must be one of ${DIAL_OUTCOMES.join(', ')}`);
        }
        return { kind: 'dial', outcome };
      }
    }
  }
  if (/^[\d#*]+$/.test(line)) return { kind: 'digits', digits: line };
  return { kind: 'speech', text: line };
}

/** Parses a whole script up front, so a typo is reported before the call starts. */
export function parseScript(lines: string[], source = 'script'): CallerLine[] {
  const parsed: CallerLine[] = [];
  lines.forEach((raw, i) => {
    const line = parseCallerLine(raw, `${source}:${i + 1}`);
    if (line) parsed.push(line);
  });
  return parsed;
}

export function scriptedCaller(lines: CallerLine[]): Caller & { remaining(): number } {
  const queue = [...lines];
  let pendingDial: DialOutcome | undefined;
  return {
    async next() {
      // A `dial:` line read while waiting for an answer applies to the next <Dial>.
      while (queue[0]?.kind === 'dial') pendingDial = (queue.shift() as { outcome: DialOutcome }).outcome;
      return queue.shift();
    },
    takeDialOutcome() {
      while (queue[0]?.kind === 'dial') pendingDial = (queue.shift() as { outcome: DialOutcome }).outcome;
      const outcome = pendingDial;
      pendingDial = undefined;
      return outcome;
    },
    remaining: () => queue.length,
  };
}

/** How a line reads after "YOU" in a transcript. */
export function describeCallerLine(line: CallerLine): string {
  switch (line.kind) {
    case 'speech':
      return `say "${line.text}"`;
    case 'digits':
      return `press ${line.digits}`;
    case 'silence':
      return '(silence)';
    case 'hangup':
      return 'hang up';
    case 'dial':
      return `(the next transfer will end ${line.outcome})`;
  }
}
