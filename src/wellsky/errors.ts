/**
 * Typed WellSky errors: callers decide by kind, never by parsing messages.
 * - NotFoundError: 404 on a correct route.
 * - ForbiddenError: 403 — a wrong route (the gateway says "Invalid key=value pair …") or a write
 *   this API key may not make. Always logged with method and path.
 * - ValidationError: 400/422 — our request was wrong (bad phone, emoji, missing agencyId).
 * - UnavailableError: timeouts, 5xx, 429 after retries, an open circuit: try later.
 * - ResponseShapeError: WellSky answered something we cannot read; names the field.
 */
export class WellSkyError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly method?: string,
    readonly path?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends WellSkyError {}
export class ForbiddenError extends WellSkyError {}
export class ValidationError extends WellSkyError {}
export class UnavailableError extends WellSkyError {}
export class ResponseShapeError extends WellSkyError {}

export function isRetryableLater(err: unknown): boolean {
  return err instanceof UnavailableError;
}
