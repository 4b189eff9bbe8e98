/**
 * The access token: one per process, fetched on first use, replaced a little before it
 * expires, and replaced at once when WellSky says it is no longer valid (401). Concurrent
 * callers share one token request — ten parallel calls at start-up cost one token, not ten.
 */
export interface IssuedToken {
  accessToken: string;
  /** Seconds the token lives, from `expires_in` (a string in the field). */
  expiresInSeconds: number;
}

export type FetchToken = (signal?: AbortSignal) => Promise<IssuedToken>;

interface Held {
  token: string;
  refreshAtMs: number;
  expiresAtMs: number;
}

/** How long before expiry to replace a token: a tenth of its life, at most a minute. */
export function refreshMarginMs(lifeSeconds: number): number {
  return Math.min(60_000, lifeSeconds * 100);
}

export class TokenCache {
  private held?: Held;
  private inFlight?: Promise<string>;

  constructor(
    private readonly fetchToken: FetchToken,
    private readonly now: () => Date,
  ) {}

  /** A token good for the next request: the held one, or a fresh one shared by every waiter. */
  get(signal?: AbortSignal): Promise<string> {
    const held = this.held;
    if (held && this.now().getTime() < held.refreshAtMs) return Promise.resolve(held.token);
    return this.refresh(signal);
  }

  /** Drops `token` if it is still the one held (a 401 said it is dead). Later callers fetch anew. */
  invalidate(token: string): void {
    if (this.held?.token === token) this.held = undefined;
  }

  private refresh(signal?: AbortSignal): Promise<string> {
    if (!this.inFlight) {
      // The shared request is not tied to one caller's abort signal: others wait on it too.
      const request = this.fetchToken().then(
        ({ accessToken, expiresInSeconds }) => {
          const issuedMs = this.now().getTime();
          const life = Math.max(1, expiresInSeconds);
          this.held = {
            token: accessToken,
            expiresAtMs: issuedMs + life * 1000,
            refreshAtMs: issuedMs + life * 1000 - refreshMarginMs(life),
          };
          return accessToken;
        },
      );
      this.inFlight = request.finally(() => {
        this.inFlight = undefined;
      });
    }
    const shared = this.inFlight;
    if (!signal) return shared;
    return new Promise<string>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      shared.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }
}
