/**
 * What happened on a simulated call, line by line, and how it is printed: plain ASCII so it
 * reads the same in any terminal, CI log or pasted bug report.
 */
import { maskPhone } from './webhook';

export type TranscriptLine =
  | { kind: 'say'; text: string; language?: string; voice?: string }
  | { kind: 'play'; url: string }
  | { kind: 'pause'; seconds: number }
  | { kind: 'caller'; text: string; speech?: string; digits?: string }
  | { kind: 'dial'; targets: string[]; outcome: string; seconds: number }
  | { kind: 'record'; text: string; seconds: number; transcribed: boolean }
  | { kind: 'message'; to: string; body: string }
  | { kind: 'request'; method: string; url: string; status: number; ms: number }
  | { kind: 'note'; text: string }
  | { kind: 'error'; text: string }
  | { kind: 'end'; reason: string; callStatus: string; seconds: number };

/** Requests are only shown with --verbose; everything else is what a caller would notice. */
export function formatTranscriptLine(line: TranscriptLine, verbose = false): string | undefined {
  switch (line.kind) {
    case 'say': {
      const lang = line.language && !line.language.toLowerCase().startsWith('en') ? ` [${line.language}]` : '';
      return `AGENCY says${lang}: ${line.text}`;
    }
    case 'play':
      return `AGENCY plays: ${line.url}`;
    case 'pause':
      return `(pause ${line.seconds} s)`;
    case 'caller':
      return `YOU ${line.text}`;
    case 'dial':
      return `(ringing ${line.targets.map(maskPhone).join(', ')} ... ${line.outcome}${line.seconds ? ` after ${line.seconds} s` : ''})`;
    case 'record':
      return `(recording ${line.seconds} s${line.transcribed ? ', transcribed' : ''}: "${line.text}")`;
    case 'message':
      return `TEXT to ${maskPhone(line.to)}: ${line.body}`;
    case 'request':
      return verbose ? `  > ${line.method} ${line.url} -> ${line.status} (${line.ms} ms)` : undefined;
    case 'note':
      return `(${line.text})`;
    case 'error':
      return `ERROR: ${line.text}`;
    case 'end':
      return `(call ended: ${line.reason}; status ${line.callStatus} after ${line.seconds} s)`;
  }
}
