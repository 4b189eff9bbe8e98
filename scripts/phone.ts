/**
 * `npm run phone -- call|text|texts …`: a local stand-in for Twilio and a phone.
 * The work is done by scripts/phone/simulator.ts; this file reads arguments and prints.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { Caller, CallerAsk, DIAL_OUTCOMES, DialOutcome, ScriptError, parseCallerLine, parseScript, scriptedCaller } from './phone/caller';
import {
  CallResult,
  DevOutboxUnavailableError,
  DevText,
  SimOptions,
  fetchDevTexts,
  latestDevTextId,
  runCall,
  simulateText,
  watchDevTexts,
} from './phone/simulator';
import { formatTranscriptLine } from './phone/transcript';
import { maskPhone } from './phone/webhook';

const USAGE = `Usage:
  npm run phone -- call --from +13035550123 [--to +13035550100] [--script FILE] [--dial no-answer]
  npm run phone -- text --from +13035550123 "I can't make my shift tomorrow" [--wait 2]
  npm run phone -- texts [--to +13035550105] [--after ID]

Common options:
  --base URL         where the server listens (default http://localhost:$PORT or :3000)
  --public-base URL  the server's PUBLIC_BASE_URL, which signatures are computed over (default: --base)
  --token T          Twilio auth token to sign with (default: $TWILIO_AUTH_TOKEN, else a dev token)
  --json             print a machine-readable transcript instead of the conversation
  --verbose          also show every request and its status

In a call, at each prompt type what you say; a line of only digits, # and * is key presses;
an empty line is silence; "hangup" hangs up; "dial: no-answer" makes the next transfer go unanswered.
A --script file has one such line per prompt ("say: text", "press: 12", "silence", "hangup",
"dial: busy", "# comment") and runs without asking; it fails if it runs out while the app still asks.`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      script: { type: 'string' },
      base: { type: 'string' },
      'public-base': { type: 'string' },
      token: { type: 'string' },
      dial: { type: 'string' },
      wait: { type: 'string' },
      after: { type: 'string' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      'raw-speech': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }

  const base = values.base ?? `http://localhost:${process.env.PORT || 3000}`;
  const common = { base, publicBase: values['public-base'], authToken: values.token, rawSpeech: values['raw-speech'] };

  switch (command) {
    case 'call':
      return call({ ...common, from: requireFrom(values.from), to: values.to, dialOutcome: dialOutcome(values.dial) }, values);
    case 'text':
      if (rest.length === 0) throw new UsageError('text needs the message, e.g. npm run phone -- text --from +13035550123 "running late"');
      return text({ ...common, from: requireFrom(values.from), to: values.to }, rest.join(' '), seconds(values.wait ?? '2'), values.json);
    case 'texts':
      return showOutbox(base, values.to, values.after === undefined ? undefined : Number(values.after), values.json);
    default:
      throw new UsageError(`unknown command "${command}"; use call, text or texts`);
  }
}

function requireFrom(from: string | undefined): string {
  if (!from) throw new UsageError('--from is required: the phone you are calling or texting from, e.g. --from +13035550123');
  if (!/^\+[1-9]\d{7,14}$/.test(from)) throw new UsageError(`--from ${from}: must be E.164, like +13035550123`);
  return from;
}

function dialOutcome(value: string | undefined): DialOutcome | undefined {
  if (value === undefined) return undefined;
  if (!DIAL_OUTCOMES.includes(value as DialOutcome)) throw new UsageError(`--dial ${value}: must be one of ${DIAL_OUTCOMES.join(', ')}`);
  return value as DialOutcome;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--wait ${value}: must be a number of seconds`);
  return n;
}

// ---------------------------------------------------------------------------------------------

async function call(opts: SimOptions, flags: { script?: string; json: boolean; verbose: boolean }): Promise<number> {
  const print = (s: string) => (flags.json ? process.stderr : process.stdout).write(s + '\n');
  let caller: Caller;
  let unusedScriptLines = () => 0;
  let close = () => undefined as void;
  if (flags.script) {
    let lines: string[];
    try {
      lines = fs.readFileSync(flags.script, 'utf8').split(/\r?\n/);
    } catch (err) {
      throw new UsageError(`--script ${flags.script}: cannot read it (${(err as NodeJS.ErrnoException).code})`);
    }
    const scripted = scriptedCaller(parseScript(lines, flags.script));
    caller = scripted;
    unusedScriptLines = scripted.remaining;
  } else {
    const interactive = interactiveCaller(flags.json);
    caller = interactive;
    close = interactive.close;
  }

  if (!flags.json) print(`Calling ${maskPhone(opts.to ?? '+13035550100')} from ${maskPhone(opts.from)} via ${opts.base} ...`);
  let result: CallResult;
  try {
    result = await runCall(
      {
        ...opts,
        onLine: (line) => {
          if (flags.json) return;
          const shown = formatTranscriptLine(line, flags.verbose);
          if (shown !== undefined) print(shown);
        },
      },
      caller,
    );
  } finally {
    close();
  }

  if (flags.script) result.unusedScriptLines = unusedScriptLines();
  if (flags.json) console.log(JSON.stringify(result, null, 2));
  if (result.unusedScriptLines) print(`NOTE: the call ended with ${result.unusedScriptLines} script line(s) unused.`);
  for (const problem of result.problems) print(`WARNING: ${problem}`);
  if (result.ended === 'error') return 1;
  if (flags.script && (result.ended === 'script-exhausted' || result.problems.length > 0)) {
    if (result.ended === 'script-exhausted') print(`The script ${flags.script} ran out while the app was still asking for input.`);
    return 1;
  }
  return 0;
}

/**
 * A person at the keyboard; Ctrl-D hangs up. Lines are queued as they arrive, so answers piped in
 * (`printf 'yes\n1\n' | npm run phone -- call …`) are not lost while the app is still talking.
 */
function interactiveCaller(json: boolean): Caller & { close(): void } {
  const rl = readline.createInterface({ input: process.stdin, output: json ? process.stderr : process.stdout });
  const queued: string[] = [];
  let waiting: ((line: string | undefined) => void) | undefined;
  let closed = false;
  rl.on('line', (line) => {
    const wake = waiting;
    waiting = undefined;
    if (wake) wake(line);
    else queued.push(line);
  });
  rl.on('close', () => {
    closed = true;
    waiting?.(undefined);
  });
  const promptFor = (ask: CallerAsk) => {
    if (ask.kind === 'record') return 'you (leave your message; empty = nothing)> ';
    if (!ask.speech) return 'you (press digits; empty = silence)> ';
    if (!ask.dtmf) return 'you (say something; empty = silence)> ';
    return 'you (say or press digits, empty = silence)> ';
  };
  const nextLine = (): Promise<string | undefined> => {
    if (queued.length > 0) return Promise.resolve(queued.shift());
    if (closed) return Promise.resolve(undefined);
    return new Promise((resolve) => (waiting = resolve));
  };
  return {
    async next(ask) {
      for (;;) {
        rl.setPrompt(promptFor(ask));
        rl.prompt();
        const answer = await nextLine();
        // Piped answers are not echoed by a terminal: end the prompt line ourselves.
        if (!process.stdin.isTTY) (json ? process.stderr : process.stdout).write(`${answer ?? ''}\n`);
        if (answer === undefined) return { kind: 'hangup' };
        if (answer.trim() === '') return { kind: 'silence' };
        try {
          const line = parseCallerLine(answer, 'your answer');
          if (line) return line;
        } catch (err) {
          console.error((err as Error).message);
        }
      }
    },
    close: () => rl.close(),
  };
}

// ---------------------------------------------------------------------------------------------

async function text(opts: SimOptions, body: string, waitSeconds: number, json: boolean): Promise<number> {
  // Texts already in the outbox are not this run's; remember where it stood.
  let after: number | undefined;
  try {
    after = await latestDevTextId(opts.base);
  } catch (err) {
    if (!(err instanceof DevOutboxUnavailableError)) throw err;
  }

  const result = await simulateText({ ...opts, body });
  if (!json) {
    console.log(`YOU (${maskPhone(opts.from)}) text: ${body}`);
    if (result.messages.length === 0) console.log('(no reply)');
    for (const m of result.messages) {
      console.log(m.to === opts.from ? `AGENCY replies: ${m.body}` : `AGENCY replies to ${maskPhone(m.to)}: ${m.body}`);
    }
  }

  let sent: DevText[] | null = null;
  if (after !== undefined) {
    sent = await watchDevTexts(opts.base, { after, waitMs: waitSeconds * 1000, onText: (t) => !json && console.log(formatDevText(t)) });
  } else if (!json) {
    console.log('(dev outbox not available)');
  }

  if (json) console.log(JSON.stringify({ ...result, outbox: sent }, null, 2));
  return 0;
}

async function showOutbox(base: string, to: string | undefined, after: number | undefined, json: boolean): Promise<number> {
  if (after !== undefined && !Number.isInteger(after)) throw new UsageError('--after must be a text id (a whole number)');
  let texts: DevText[];
  try {
    texts = await fetchDevTexts(base, after);
  } catch (err) {
    if (!(err instanceof DevOutboxUnavailableError)) throw err;
    console.log(json ? 'null' : '(dev outbox not available)');
    return 1;
  }
  const shown = to ? texts.filter((t) => t.to === to) : texts;
  if (json) console.log(JSON.stringify(shown, null, 2));
  else if (shown.length === 0) console.log('(no texts)');
  else for (const t of shown) console.log(`#${t.id} ${t.createdAt ?? ''} ${formatDevText(t)}`);
  return 0;
}

function formatDevText(t: DevText): string {
  return `-> ${maskPhone(t.to)}: ${t.body}${t.purpose ? `  [${t.purpose}]` : ''}`;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    if (err instanceof UsageError || err instanceof ScriptError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`phone: ${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(`phone: ${err.message}`);
    process.exit(1);
  },
);
