/**
 * The turn runtime: one webhook = one turn of one conversation.
 *
 *   stored reply? → lease the conversation → restore the machine → send the event → wait until it
 *   settles (bounded) → persist the settled snapshot and the reply in one short transaction.
 *
 * Why this shape (design.md, twilio-and-xstate.md):
 * - A retried webhook carries the same turn key (MessageSid; CallSid + turn number) and gets the
 *   stored reply: no effect runs twice.
 * - Two webhooks for one conversation are serialised by a lease on its row, never by a database
 *   transaction held across WellSky calls (PGlite has one connection).
 * - Only settled snapshots are persisted: xstate restarts in-flight promises on restore. When a
 *   turn is slow, the caller hears "one moment" and is redirected back; the running actor stays
 *   in memory, and its event is kept on the row so another process can replay it (effects are
 *   idempotent by key).
 * - A snapshot from an older machine version starts the conversation over, politely.
 */
import { randomUUID } from 'node:crypto';
import { createActor, waitFor, type AnyActorRef, type AnyStateMachine, type SnapshotFrom } from 'xstate';
import type { Clock } from '../clock';
import { moduleLog } from '../log';
import {
  AWAITING_INPUT,
  type ConversationContextBase,
  type ConversationEvent,
  type ConversationInput,
  type Directive,
  type Handoff,
  type Lang,
  type Line,
} from '../../flows/conversation';
import { ConversationStore, type ConversationRow } from './store';

const log = moduleLog('conversations');

export interface FlowDefinition {
  machine: AnyStateMachine;
  /** Bumped whenever states or actors are renamed: older snapshots start over. */
  version: number;
}

export interface TurnOutcome {
  conversationId: string;
  /** The turn number this reply answers; the next input arrives as turn + 1. */
  turn: number;
  lines: Line[];
  directive: Directive;
  lang: Lang;
  /** The machine reached a final state: the conversation is over. */
  done: boolean;
  /** Effects are still running: say something and come back (voice), or text later (SMS). */
  pending: boolean;
  /** The stored snapshot could not be restored and the conversation started over. */
  restarted: boolean;
}

export interface TurnRequest {
  /**
   * The conversation: its row, or only its id (a webhook that names it: the statement that takes
   * the lease reads the row, so a turn needs no read of its own). With `callSid`, a row of another
   * call is refused like an unknown one (no crossing into another call).
   */
  conversation: ConversationRow | { id: string; callSid?: string };
  /** Idempotency key of this webhook. */
  turnKey: string;
  event: ConversationEvent;
  /** Builds the machine input when the conversation starts (or starts over), from the leased row. */
  input: (row: ConversationRow) => Promise<ConversationInput>;
  /** Renders the outcome as the webhook's response body (TwiML). */
  render: (outcome: TurnOutcome) => string;
}

export interface TurnRuntimeOptions {
  store: ConversationStore;
  clock: Clock;
  flows: Record<string, FlowDefinition>;
  /** How long a turn waits for the machine to settle before answering "one moment". */
  settleTimeoutMs?: number;
  /** How long a turn may wait for another turn of the same conversation to finish. */
  leaseWaitMs?: number;
  leaseMs?: number;
  /** SMS: a slow turn's lines, delivered as texts once it settles. */
  deliverLate?: (conversation: ConversationRow, outcome: TurnOutcome) => Promise<void>;
}

export class ConversationBusyError extends Error {
  constructor(readonly conversationId: string) {
    super(`conversation ${conversationId} is busy with another turn`);
  }
}

/** The turn names a conversation that does not exist (or belongs to another call). */
export class UnknownConversationError extends Error {
  constructor(readonly conversationId: string) {
    super(`unknown conversation ${conversationId}`);
    this.name = 'UnknownConversationError';
  }
}

interface Inflight {
  actor: AnyActorRef;
  linesBefore: number;
  /** Lines said this turn by a flow that handed the conversation over to this one. */
  carriedLines: Line[];
  /** Builds the input of a flow started by a hand-off. */
  input: () => Promise<ConversationInput>;
  flow: string;
  restarted: boolean;
  settled: Promise<SnapshotFrom<AnyStateMachine> | undefined>;
}

function isSettled(s: SnapshotFrom<AnyStateMachine>): boolean {
  return s.status !== 'active' || s.hasTag(AWAITING_INPUT);
}

/** What the caller said, pressed or did on a turn, for the console's transcript (kept with the reply). */
function heardIn(e: ConversationEvent): string | undefined {
  switch (e.type) {
    case 'START': return e.text;
    case 'INPUT': return e.text ?? (e.digits ? `pressed ${e.digits}` : undefined);
    case 'NO_INPUT': return '(no answer)';
    case 'DIAL_RESULT': return `(transfer: ${e.status})`;
    case 'RECORDING': return '(left a recording)';
    case 'HANGUP': return '(hung up)';
    default: return undefined;
  }
}

function contextOf(s: SnapshotFrom<AnyStateMachine>): ConversationContextBase {
  return s.context as ConversationContextBase;
}

export class TurnRuntime {
  private readonly owner = `turn-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly inflight = new Map<string, Inflight>();
  /** The token of the lease this process holds on each conversation it is working on. */
  private readonly leaseTokens = new Map<string, string>();
  /** Voice: slow turns that settled in the background, kept for the caller's redirect. */
  private readonly lateOutcomes = new Map<string, TurnOutcome>();
  private readonly settleTimeoutMs: number;
  private readonly leaseWaitMs: number;
  private readonly leaseMs: number;

  constructor(private readonly opts: TurnRuntimeOptions) {
    this.settleTimeoutMs = opts.settleTimeoutMs ?? 1500;
    this.leaseWaitMs = opts.leaseWaitMs ?? 8000;
    this.leaseMs = opts.leaseMs ?? 20000;
  }

  flow(name: string): FlowDefinition {
    const def = this.opts.flows[name];
    if (!def) throw new Error(`unknown flow "${name}"`);
    return def;
  }

  /**
   * Runs one turn and returns the response body to send back. A turn whose lease was lost before
   * its result was saved is never answered from that unsaved state: it is run again once from
   * what is stored (effects are idempotent), and if that loses too, a voice caller hears "one
   * moment" and is redirected back (a texter gets the holding reply from the webhook).
   */
  async run(req: TurnRequest, retried = false): Promise<string> {
    const leased: { row?: ConversationRow } = {};
    try {
      return await this.runOnce(req, leased);
    } catch (err) {
      if (!(err instanceof LeaseLostError)) throw err;
      log.warn('a turn lost its lease before it was saved: not answering from unsaved state', { conversationId: req.conversation.id, retried });
      if (!retried) return this.run(req, true);
      if (leased.row?.channel !== 'voice') throw err;
      const lang = (leased.row.snapshot as { context?: ConversationContextBase } | null)?.context?.lang ?? 'en';
      return req.render({ conversationId: req.conversation.id, turn: err.turn, lines: [], directive: { kind: 'wait' }, lang, done: false, pending: true, restarted: false });
    }
  }

  private async runOnce(req: TurnRequest, leased: { row?: ConversationRow }): Promise<string> {
    const { store } = this.opts;
    const id = req.conversation.id;
    const callSid = 'callSid' in req.conversation ? req.conversation.callSid : undefined;
    // One statement takes the lease, reads the row, and finds a reply already given to this turn
    // (a retried webhook): two statements per turn in all, with the save.
    const { row, stored } = await this.acquireLease(id, req.turnKey, callSid);
    leased.row = row;
    try {
      if (stored !== undefined) {
        await store.releaseLease(id, this.leaseToken(id));
        return stored;
      }
      const outcome = await this.advance(row, req);
      const response = req.render(outcome);
      if (outcome.pending) {
        // Nothing settled to persist; keep the event so the redirect (or another process) can finish it.
        await store.saveTurn({
          id, owner: this.leaseToken(id), turnKeys: [], response, snapshot: row.snapshot, machineVersion: row.machine_version,
          flow: row.flow, turn: row.turn, closed: false, pendingEvent: req.event, now: this.opts.clock.now(),
        });
      }
      return response;
    } catch (err) {
      await store.releaseLease(id, this.leaseToken(id)).catch(() => undefined);
      throw err;
    }
  }

  private leaseToken(id: string): string {
    return this.leaseTokens.get(id) ?? this.owner;
  }

  private async acquireLease(id: string, turnKey?: string, callSid?: string): Promise<{ row: ConversationRow; stored?: string }> {
    const deadline = Date.now() + this.leaseWaitMs;
    let delay = 5;
    for (;;) {
      // Every acquisition has its own token: two turns of one process never share a lease.
      const token = `${this.owner}:${randomUUID().slice(0, 8)}`;
      const leased = await this.opts.store.tryLease(id, token, this.leaseMs, turnKey, callSid);
      if (leased === 'unknown') throw new UnknownConversationError(id);
      if (leased !== 'busy') {
        this.leaseTokens.set(id, token);
        return leased;
      }
      if (Date.now() > deadline) throw new ConversationBusyError(id);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 100);
    }
  }

  /** Restores (or starts) the machine, sends the event, waits, and persists when settled. */
  private async advance(row: ConversationRow, req: TurnRequest): Promise<TurnOutcome> {
    const redirect = isWaitRedirect(req.turnKey);
    let inflight = this.inflight.get(row.id);

    if (row.status === 'closed' && !inflight) {
      // A webhook that arrives after the call ended (Twilio may deliver them out of order): the
      // conversation is over and stays over.
      await this.opts.store.releaseLease(row.id, this.leaseToken(row.id));
      const lang = (row.snapshot as { context?: ConversationContextBase } | null)?.context?.lang ?? 'en';
      return { conversationId: row.id, turn: row.turn, lines: [], directive: { kind: 'end' }, lang, done: true, pending: false, restarted: false };
    }

    if (inflight && !redirect) {
      // A new event while the previous turn is still working: let that turn finish first.
      const settled = await raceTimeout(inflight.settled, this.leaseWaitMs);
      if (settled === 'timeout') throw new ConversationBusyError(row.id);
      this.inflight.delete(row.id);
      const finished = await this.persistSettled(row, await this.settleFully(inflight), [], undefined, this.opts.clock.now());
      if (row.channel === 'sms' && this.opts.deliverLate && finished.lines.length) await this.opts.deliverLate(row, finished);
      row = (await this.acquireLease(row.id)).row;
      inflight = undefined;
    }

    if (!inflight && redirect) {
      const late = this.lateOutcomes.get(row.id);
      if (late) {
        this.lateOutcomes.delete(row.id);
        await this.opts.store.recordReply(req.turnKey, row.id, req.render(late));
        await this.opts.store.releaseLease(row.id, this.leaseToken(row.id));
        return late;
      }
      if (!row.pending_event) {
        // Finished elsewhere (or never slow): repeat what the conversation is waiting for.
        const ctx = (row.snapshot as { context?: ConversationContextBase } | null)?.context;
        await this.opts.store.releaseLease(row.id, this.leaseToken(row.id));
        return {
          conversationId: row.id, turn: row.turn, lines: [], directive: ctx?.directive ?? { kind: 'end' },
          lang: ctx?.lang ?? 'en', done: row.status === 'closed', pending: false, restarted: false,
        };
      }
    }

    let current = inflight ?? (await this.startTurn(row, req, redirect));
    for (let hops = 0; ; hops++) {
      const settled = await raceTimeout(current.settled, this.settleTimeoutMs);
      if (settled === 'timeout') {
        this.inflight.set(row.id, current);
        this.finishInBackground(row, current);
        const ctx = contextOf(current.actor.getSnapshot());
        return {
          conversationId: row.id, turn: row.turn, lines: [...current.carriedLines, ...ctx.lines.slice(current.linesBefore)], directive: { kind: 'wait' },
          lang: ctx.lang, done: false, pending: true, restarted: current.restarted,
        };
      }
      const next = hops < 3 ? await this.followHandoff(current) : undefined;
      if (!next) break;
      current = next;
    }
    this.inflight.delete(row.id);
    return this.persistSettled(row, current, [req.turnKey], req.render, this.opts.clock.now(), heardIn(req.event));
  }

  /**
   * A flow that ends by handing the conversation to another (the router to the call-out flow, say)
   * outputs `{ handoff }`: the next flow starts in the same turn, and its first lines follow on.
   */
  private async followHandoff(current: Inflight): Promise<Inflight | undefined> {
    const snap = current.actor.getSnapshot();
    const handoff = snap.status === 'done' ? (snap.output as { handoff?: Handoff } | undefined)?.handoff : undefined;
    if (!handoff) return undefined;
    const def = this.opts.flows[handoff.flow];
    if (!def) {
      log.error('hand-off to an unknown flow; ending the conversation', { flow: handoff.flow });
      return undefined;
    }
    const carriedLines = [...current.carriedLines, ...contextOf(snap).lines.slice(current.linesBefore)];
    current.actor.stop();
    const base = await current.input();
    const actor = this.createActor(def.machine, { input: { ...base, lang: handoff.lang, handoff } });
    if (!actor) return undefined;
    actor.start();
    actor.send({ type: 'START', now: handoff.now } satisfies ConversationEvent);
    return {
      actor, linesBefore: 0, carriedLines, input: current.input, flow: handoff.flow, restarted: current.restarted,
      settled: waitFor(actor, isSettled, { timeout: 10 * 60 * 1000 }).catch(() => undefined),
    };
  }

  /** Restores the machine from its snapshot (or starts it) and sends this turn's events. */
  private async startTurn(row: ConversationRow, req: TurnRequest, redirect: boolean): Promise<Inflight> {
    const def = this.flow(row.flow);
    let actor: AnyActorRef | undefined;
    if (row.snapshot && row.machine_version === def.version) {
      actor = this.createActor(def.machine, { snapshot: row.snapshot });
      if (actor && actor.getSnapshot().status !== 'active') actor = undefined;
    }
    const restarted = !actor && Boolean(row.snapshot);
    if (restarted) {
      log.warn('stored conversation could not be resumed; starting over', { conversationId: row.id, storedVersion: row.machine_version, version: def.version });
    }
    const events: ConversationEvent[] = [];
    let linesBefore = 0;
    if (actor) {
      linesBefore = contextOf(actor.getSnapshot()).lines.length;
      // A turn that was cut short (slow effects, a restart) replays its event: effects are idempotent.
      if (row.pending_event) events.push(row.pending_event as ConversationEvent);
      if (!redirect) events.push(req.event);
    } else {
      actor = this.createActor(def.machine, { input: await req.input(row) });
      if (!actor) throw new Error(`flow "${row.flow}" could not be started`);
      const text = req.event.type === 'START' || req.event.type === 'INPUT' ? req.event.text : undefined;
      // After a restart a voice caller is greeted afresh; a texter's words are kept.
      events.push({ type: 'START', now: req.event.now, text: restarted && row.channel === 'voice' ? undefined : text });
    }
    actor.start();
    for (const e of events) actor.send(e);
    return {
      actor,
      linesBefore,
      carriedLines: [],
      input: () => req.input(row),
      flow: row.flow,
      restarted,
      settled: waitFor(actor, isSettled, { timeout: 10 * 60 * 1000 }).catch(() => undefined),
    };
  }

  private async persistSettled(
    row: ConversationRow,
    inflight: Inflight,
    turnKeys: string[],
    render: ((o: TurnOutcome) => string) | undefined,
    now: Date,
    heard?: string,
  ): Promise<TurnOutcome & { response?: string }> {
    const snap = inflight.actor.getSnapshot();
    // Lines already said are not kept: the next turn renders only what it appends, and a long call
    // would otherwise grow its snapshot (and the cost of every turn) without bound.
    const full = inflight.actor.getPersistedSnapshot() as { context?: ConversationContextBase };
    const persisted = full.context ? { ...full, context: { ...full.context, lines: [] } } : full;
    inflight.actor.stop();
    const ctx = contextOf(snap);
    const def = this.flow(inflight.flow);
    const outcome: TurnOutcome = {
      conversationId: row.id,
      turn: row.turn + 1,
      lines: [...inflight.carriedLines, ...ctx.lines.slice(inflight.linesBefore)],
      directive: snap.status === 'done' ? { kind: 'end' } : ctx.directive,
      lang: ctx.lang,
      done: snap.status !== 'active',
      pending: false,
      restarted: inflight.restarted,
    };
    if (snap.status === 'error') {
      log.error('conversation machine failed', { conversationId: row.id, error: String((snap as { error?: unknown }).error) });
    }
    const response = render ? render(outcome) : '';
    const saved = await this.opts.store.saveTurn({
      id: row.id, owner: this.leaseToken(row.id), turnKeys: render ? turnKeys : [], response, snapshot: persisted,
      machineVersion: def.version, flow: inflight.flow, turn: row.turn + 1, closed: outcome.done, pendingEvent: null, now, heard,
    });
    if (!saved) throw new LeaseLostError(row.id, row.turn);
    return { ...outcome, response };
  }

  /** A slow turn: once the machine settles, persist it (and text the lines for SMS). */
  private finishInBackground(row: ConversationRow, inflight: Inflight): void {
    void inflight.settled.then(async () => {
      if (this.inflight.get(row.id) !== inflight) return; // a redirect already finished it
      try {
        const { row: fresh } = await this.acquireLease(row.id);
        if (this.inflight.get(row.id) !== inflight) {
          await this.opts.store.releaseLease(row.id, this.leaseToken(row.id));
          return;
        }
        this.inflight.delete(row.id);
        const outcome = await this.persistSettled(fresh, await this.settleFully(inflight), [], undefined, this.opts.clock.now());
        if (row.channel === 'sms' && this.opts.deliverLate && outcome.lines.length) await this.opts.deliverLate(fresh, outcome);
        if (row.channel === 'voice') this.lateOutcomes.set(row.id, outcome);
      } catch (err) {
        log.error('finishing a slow turn failed', { conversationId: row.id, error: (err as Error).message });
      }
    });
  }


  /** Waits (unbounded: background only) until the turn settles, following any hand-offs. */
  private async settleFully(inflight: Inflight): Promise<Inflight> {
    let current = inflight;
    for (let hops = 0; hops < 3; hops++) {
      await current.settled;
      const next = await this.followHandoff(current);
      if (!next) break;
      current = next;
    }
    await current.settled;
    return current;
  }

  private createActor(machine: AnyStateMachine, opts: { snapshot?: unknown; input?: ConversationInput }): AnyActorRef | undefined {
    try {
      const actor = createActor(machine, opts.snapshot ? { snapshot: opts.snapshot as never } : { input: opts.input });
      // An unobserved actor error is rethrown on a timer and kills the process: observe it.
      actor.subscribe({ error: (err) => log.error('conversation actor error', { error: (err as Error)?.message }) });
      return actor;
    } catch (err) {
      log.warn('could not restore conversation snapshot', { error: (err as Error).message });
      return undefined;
    }
  }

  /** Stops in-memory actors (shutdown). */
  stopAll(): void {
    for (const f of this.inflight.values()) f.actor.stop();
    this.inflight.clear();
  }
}

/** The turn's lease expired and another turn took the conversation before this one was saved. */
export class LeaseLostError extends Error {
  constructor(readonly conversationId: string, readonly turn: number) {
    super(`conversation ${conversationId}: the turn lost its lease before it was saved`);
    this.name = 'LeaseLostError';
  }
}

/** A "one moment" redirect comes back with the same turn and a wait marker in its key. */
export function isWaitRedirect(turnKey: string): boolean {
  return /:w\d+$/.test(turnKey);
}

function raceTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<'timeout'>((r) => {
    timer = setTimeout(() => r('timeout'), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
