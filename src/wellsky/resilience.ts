/**
 * How the client behaves when WellSky is slow, busy or down (cockatiel policies):
 *  - every attempt has a timeout: short while a caller waits on the phone, longer for
 *    background work; an interactive call also has an overall deadline across its retries;
 *  - reads (GET and `_search/` POSTs) are retried with exponential backoff and jitter,
 *    honouring `Retry-After` on 429; writes are never retried here — the caller queues them
 *    durably, so a write is never made twice behind its back;
 *  - a circuit breaker turns an outage into fast `UnavailableError`s and probes for recovery;
 *  - a token bucket keeps the whole process under WellSky's 100 requests/second.
 */
import { performance } from 'node:perf_hooks';
import {
  CircuitBreakerPolicy,
  ConsecutiveBreaker,
  DelegateBackoff,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  isBrokenCircuitError,
  retry,
  timeout,
} from 'cockatiel';
import { UnavailableError } from './errors';

/** 429: WellSky asked us to slow down. `retryAfterMs` from its Retry-After header, when sent. */
export class RateLimitedError extends UnavailableError {
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
    method?: string,
    path?: string,
  ) {
    super(message, 429, method, path);
  }
}

/** The circuit is open after repeated failures: WellSky was not even asked. */
export class CircuitOpenError extends UnavailableError {}

// ---------------------------------------------------------------------------------------------
// Rate limit
// ---------------------------------------------------------------------------------------------

/**
 * A token bucket: `ratePerSecond` steady, bursts of at most `burst`. Callers beyond the budget
 * wait their turn in order (a reservation each), they are never refused.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private ratePerSecond: number,
    private readonly burst = Math.max(1, Math.floor(ratePerSecond / 10)),
    private readonly clock: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError(`maxRequestsPerSecond must be positive, got ${ratePerSecond}`);
    this.tokens = this.burst;
    this.last = this.clock();
  }

  get rate(): number {
    return this.ratePerSecond;
  }

  /** Resolves when this request may go. */
  take(signal?: AbortSignal): Promise<void> {
    const now = this.clock();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
    this.tokens -= 1;
    if (this.tokens >= 0) return Promise.resolve();
    const waitMs = (-this.tokens / this.ratePerSecond) * 1000;
    return sleep(waitMs, signal);
  }
}

const processBuckets = new Map<string, TokenBucket>();

/**
 * The bucket every client of one WellSky API key in this process shares: the budget is per key,
 * so two services built for the same key must not each get a full one.
 */
export function sharedBucket(key: string, ratePerSecond: number): TokenBucket {
  let bucket = processBuckets.get(key);
  if (!bucket || bucket.rate !== ratePerSecond) {
    bucket = new TokenBucket(ratePerSecond);
    processBuckets.set(key, bucket);
  }
  return bucket;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

// ---------------------------------------------------------------------------------------------
// Policies
// ---------------------------------------------------------------------------------------------

export interface RetryTuning {
  /** Retries of a background read after the first attempt. Default 4. */
  maxRetries?: number;
  /** Retries of an interactive read. Default 1. */
  interactiveMaxRetries?: number;
  /** First backoff delay; doubles each retry, with jitter. Default 250 ms. */
  initialDelayMs?: number;
  /** Cap of one backoff delay. Default 8000 ms. */
  maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for (the call fails). Default 30000 ms. */
  maxRetryAfterMs?: number;
}

export interface ResilienceOptions {
  interactiveMs: number;
  backgroundMs: number;
  breakerFailures: number;
  halfOpenAfterMs: number;
  retry: Required<RetryTuning>;
}

/** cockatiel 3.2's own `isTaskCancelledError` tests the wrong marker; check the right one. */
function isTaskCancelled(err: unknown): boolean {
  return err instanceof Error && 'isTaskCancelledError' in err;
}

export type CallKind = 'read' | 'write';

export interface Attempt<T> {
  (signal: AbortSignal): Promise<T>;
}

export class Resilience {
  readonly breaker: CircuitBreakerPolicy;

  constructor(private readonly opts: ResilienceOptions) {
    this.breaker = circuitBreaker(
      // Only "WellSky is not answering" opens the circuit: a 404 or 403 is an answer,
      // and a 429 is WellSky pacing us, not failing.
      handleWhen((err) => err instanceof UnavailableError && !(err instanceof RateLimitedError)),
      { halfOpenAfter: opts.halfOpenAfterMs, breaker: new ConsecutiveBreaker(opts.breakerFailures) },
    );
  }

  /** Runs one logical call (`attempt` may run several times for a read). */
  async run<T>(kind: CallKind, interactive: boolean, attempt: Attempt<T>, label: string, signal?: AbortSignal): Promise<T> {
    const once = (s: AbortSignal) => this.once(interactive, attempt, label, s);
    const withRetries = kind === 'read' ? (s: AbortSignal) => this.retrying(interactive, once, s) : once;
    if (!interactive) return withRetries(signal ?? new AbortController().signal);
    // A caller is waiting: one deadline over all attempts.
    const deadline = timeout(this.opts.interactiveMs, TimeoutStrategy.Aggressive);
    try {
      return await deadline.execute(({ signal: s }) => withRetries(s), signal);
    } catch (err) {
      throw this.translateCancel(err, signal, label, this.opts.interactiveMs);
    }
  }

  private async once<T>(interactive: boolean, attempt: Attempt<T>, label: string, signal: AbortSignal): Promise<T> {
    const ms = interactive ? this.opts.interactiveMs : this.opts.backgroundMs;
    const perAttempt = timeout(ms, TimeoutStrategy.Aggressive);
    try {
      return await this.breaker.execute(
        ({ signal: breakerSignal }) =>
          perAttempt.execute(({ signal: s }) => attempt(s), breakerSignal).catch((err: unknown) => {
            throw this.translateCancel(err, signal, label, ms);
          }),
        signal,
      );
    } catch (err) {
      if (isBrokenCircuitError(err)) {
        throw new CircuitOpenError(`WellSky is unavailable (circuit open after repeated failures; next probe within ${this.opts.halfOpenAfterMs} ms): ${label} not sent`);
      }
      throw err;
    }
  }

  private retrying<T>(interactive: boolean, once: Attempt<T>, signal: AbortSignal): Promise<T> {
    const r = this.opts.retry;
    const retryAfterLimit = interactive ? Math.min(r.maxRetryAfterMs, this.opts.interactiveMs / 2) : r.maxRetryAfterMs;
    const policy = retry(
      handleWhen((err) => {
        if (!(err instanceof UnavailableError) || err instanceof CircuitOpenError) return false;
        if (err instanceof RateLimitedError && (err.retryAfterMs ?? 0) > retryAfterLimit) return false;
        return true;
      }),
      {
        maxAttempts: interactive ? r.interactiveMaxRetries : r.maxRetries,
        backoff: new DelegateBackoff((ctx) => {
          const error = 'error' in ctx.result ? ctx.result.error : undefined;
          if (error instanceof RateLimitedError && error.retryAfterMs !== undefined) {
            return error.retryAfterMs + Math.random() * 100;
          }
          const base = Math.min(r.maxDelayMs, r.initialDelayMs * 2 ** (ctx.attempt - 1));
          return base / 2 + (Math.random() * base) / 2;
        }),
      },
    );
    return policy.execute(({ signal: s }) => once(s), signal);
  }

  private translateCancel(err: unknown, callerSignal: AbortSignal | undefined, label: string, ms: number): unknown {
    if (!isTaskCancelled(err)) return err;
    if (callerSignal?.aborted) return callerSignal.reason ?? err;
    return new UnavailableError(`WellSky did not answer ${label} within ${ms} ms`);
  }
}
