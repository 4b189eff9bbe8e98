/**
 * Reads a TwiML document into a list of verbs the phone simulator can act on.
 *
 * Only the verbs and attributes this app writes are understood; anything else is reported as an
 * error rather than skipped, because a verb Twilio does not know makes a real call fail too.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export type SayVerb = { verb: 'Say'; text: string; voice?: string; language?: string };
export type PlayVerb = { verb: 'Play'; url: string };
export type PauseVerb = { verb: 'Pause'; seconds: number };
export type PromptVerb = SayVerb | PlayVerb | PauseVerb;

export type GatherVerb = {
  verb: 'Gather';
  /** As written in the TwiML; undefined means "the current document URL", as on Twilio. */
  action?: string;
  method: 'GET' | 'POST';
  input: { speech: boolean; dtmf: boolean };
  language?: string;
  hints?: string;
  numDigits?: number;
  finishOnKey: string;
  timeoutSeconds: number;
  actionOnEmptyResult: boolean;
  prompts: PromptVerb[];
};
export type RedirectVerb = { verb: 'Redirect'; url: string; method: 'GET' | 'POST' };
export type DialTarget = { kind: 'number' | 'client' | 'sip' | 'conference' | 'queue'; value: string };
export type DialVerb = {
  verb: 'Dial';
  action?: string;
  method: 'GET' | 'POST';
  callerId?: string;
  timeoutSeconds: number;
  targets: DialTarget[];
};
export type RecordVerb = {
  verb: 'Record';
  action?: string;
  method: 'GET' | 'POST';
  transcribe: boolean;
  transcribeCallback?: string;
  maxLengthSeconds: number;
  playBeep: boolean;
};
export type HangupVerb = { verb: 'Hangup' };
export type RejectVerb = { verb: 'Reject'; reason: 'rejected' | 'busy' };
export type MessageVerb = { verb: 'Message'; to?: string; from?: string; body: string };

export type Verb =
  | SayVerb | PlayVerb | PauseVerb | GatherVerb | RedirectVerb | DialVerb
  | RecordVerb | HangupVerb | RejectVerb | MessageVerb;

export class TwimlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TwimlError';
  }
}

type XmlNode = { [tag: string]: XmlNode[] | string | Record<string, string> | undefined } & {
  ':@'?: Record<string, string>;
  '#text'?: string;
};

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
});

/** Parses a full TwiML document (`<Response>…</Response>`) into its verbs, in order. */
export function parseTwiml(xml: string): Verb[] {
  const trimmed = xml.trim();
  if (trimmed === '') throw new TwimlError('the answer is empty; expected a TwiML <Response> document');
  const valid = XMLValidator.validate(trimmed);
  if (valid !== true) {
    throw new TwimlError(`not well-formed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  }
  const roots = (parser.parse(trimmed) as XmlNode[]).filter((node) => !tagOf(node).startsWith('?') && tagOf(node) !== '#comment');
  if (roots.length !== 1 || tagOf(roots[0]) !== 'Response') {
    const found = roots.map(tagOf).join(', ') || 'nothing';
    throw new TwimlError(`the root element must be <Response>, found ${found}`);
  }
  return elementsOf(roots[0]).map(readVerb);
}

function tagOf(node: XmlNode): string {
  return Object.keys(node).find((k) => k !== ':@') ?? '';
}

function childrenOf(node: XmlNode): XmlNode[] {
  const value = node[tagOf(node)];
  return Array.isArray(value) ? value : [];
}

/** Child elements, skipping whitespace text and comments. */
function elementsOf(node: XmlNode): XmlNode[] {
  return childrenOf(node).filter((child) => {
    const tag = tagOf(child);
    if (tag === '#comment') return false;
    if (tag === '#text') {
      if (String(child['#text']).trim() !== '') {
        throw new TwimlError(`unexpected text "${String(child['#text']).trim().slice(0, 40)}" inside <${tagOf(node)}>`);
      }
      return false;
    }
    return true;
  });
}

/** All text inside an element, including text inside SSML tags such as <break> or <emphasis>. */
function textOf(node: XmlNode): string {
  const parts: string[] = [];
  for (const child of childrenOf(node)) {
    if (tagOf(child) === '#text') parts.push(String(child['#text']));
    else if (tagOf(child) !== '#comment') parts.push(textOf(child));
  }
  return parts.join('').replace(/\s+/g, ' ').trim();
}

function attrs(node: XmlNode): Record<string, string> {
  return node[':@'] ?? {};
}

function method(value: string | undefined, verb: string): 'GET' | 'POST' {
  const upper = (value ?? 'POST').toUpperCase();
  if (upper !== 'GET' && upper !== 'POST') throw new TwimlError(`<${verb} method="${value}">: method must be GET or POST`);
  return upper;
}

function whole(value: string | undefined, fallback: number, what: string): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw new TwimlError(`${what}="${value}": must be a whole number`);
  return Number(value);
}

function readVerb(node: XmlNode): Verb {
  const tag = tagOf(node);
  const a = attrs(node);
  switch (tag) {
    case 'Say':
    case 'Play':
    case 'Pause':
      return readPrompt(node);
    case 'Gather': {
      const inputs = (a.input ?? 'dtmf').split(/\s+/);
      const timeout = a.timeout === 'auto' ? 5 : whole(a.timeout, 5, '<Gather timeout');
      return {
        verb: 'Gather',
        action: a.action,
        method: method(a.method, 'Gather'),
        input: { speech: inputs.includes('speech'), dtmf: inputs.includes('dtmf') },
        language: a.language,
        hints: a.hints,
        numDigits: a.numDigits === undefined ? undefined : whole(a.numDigits, 1, '<Gather numDigits'),
        finishOnKey: a.finishOnKey ?? '#',
        timeoutSeconds: timeout,
        actionOnEmptyResult: a.actionOnEmptyResult === 'true',
        prompts: elementsOf(node).map((child) => {
          if (!['Say', 'Play', 'Pause'].includes(tagOf(child))) {
            throw new TwimlError(`<Gather> may only contain <Say>, <Play> or <Pause>, found <${tagOf(child)}>`);
          }
          return readPrompt(child);
        }),
      };
    }
    case 'Redirect': {
      const url = textOf(node);
      if (!url) throw new TwimlError('<Redirect> needs a URL as its text');
      return { verb: 'Redirect', url, method: method(a.method, 'Redirect') };
    }
    case 'Dial': {
      const targets: DialTarget[] = [];
      const kinds: Record<string, DialTarget['kind']> = { Number: 'number', Client: 'client', Sip: 'sip', Conference: 'conference', Queue: 'queue' };
      for (const child of childrenOf(node)) {
        const childTag = tagOf(child);
        if (childTag === '#text') {
          const number = String(child['#text']).trim();
          if (number) targets.push({ kind: 'number', value: number });
        } else if (childTag !== '#comment') {
          const kind = kinds[childTag];
          if (!kind) throw new TwimlError(`<Dial> cannot contain <${childTag}>`);
          targets.push({ kind, value: textOf(child) });
        }
      }
      if (targets.length === 0) throw new TwimlError('<Dial> has nothing to dial');
      return {
        verb: 'Dial',
        action: a.action,
        method: method(a.method, 'Dial'),
        callerId: a.callerId,
        timeoutSeconds: whole(a.timeout, 30, '<Dial timeout'),
        targets,
      };
    }
    case 'Record':
      return {
        verb: 'Record',
        action: a.action,
        method: method(a.method, 'Record'),
        transcribe: a.transcribe === 'true',
        transcribeCallback: a.transcribeCallback,
        maxLengthSeconds: whole(a.maxLength, 3600, '<Record maxLength'),
        playBeep: a.playBeep !== 'false',
      };
    case 'Hangup':
      return { verb: 'Hangup' };
    case 'Reject':
      return { verb: 'Reject', reason: a.reason === 'busy' ? 'busy' : 'rejected' };
    case 'Message':
    case 'Sms':
      return { verb: 'Message', to: a.to, from: a.from, body: readMessageBody(node) };
    default:
      throw new TwimlError(`<${tag}> is not a TwiML verb the simulator knows (Say, Play, Pause, Gather, Redirect, Dial, Record, Hangup, Reject, Message)`);
  }
}

function readPrompt(node: XmlNode): PromptVerb {
  const a = attrs(node);
  switch (tagOf(node)) {
    case 'Say':
      return { verb: 'Say', text: textOf(node), voice: a.voice, language: a.language };
    case 'Play':
      return { verb: 'Play', url: textOf(node) };
    default:
      return { verb: 'Pause', seconds: whole(a.length, 1, '<Pause length') };
  }
}

/** `<Message>text</Message>` or `<Message><Body>text</Body><Media>…</Media></Message>`. */
function readMessageBody(node: XmlNode): string {
  const body = childrenOf(node).find((child) => tagOf(child) === 'Body');
  return body ? textOf(body) : textOf(node);
}

/** The `<Message>` replies of a messaging TwiML answer (an empty answer means no reply). */
export function parseMessagingTwiml(xml: string): Array<{ to?: string; body: string }> {
  if (xml.trim() === '') return [];
  return parseTwiml(xml).map((verb) => {
    if (verb.verb !== 'Message') throw new TwimlError(`<${verb.verb}> is not allowed in a messaging answer; only <Message>`);
    return { to: verb.to, body: verb.body };
  });
}
