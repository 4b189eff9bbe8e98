/**
 * Twilio request signatures, checked on every webhook against PUBLIC_BASE_URL + the path and query
 * Twilio called (never the Host header: behind Heroku's router that is not what Twilio signed).
 * Dev mode (no auth token) accepts unsigned requests; start-up says so loudly.
 */
import type { NextFunction, Request, Response } from 'express';
import twilio from 'twilio';
import { moduleLog } from '../log';

const log = moduleLog('twilio.signature');

export interface SignatureOptions {
  publicBaseUrl: string;
  /** Primary first; during a rotation the secondary is accepted too. Empty → dev mode. */
  authTokens: string[];
}

export function signedUrl(publicBaseUrl: string, originalUrl: string): string {
  return publicBaseUrl.replace(/\/+$/, '') + originalUrl;
}

export function verifyTwilioSignature(opts: SignatureOptions) {
  return function twilioSignature(req: Request, res: Response, next: NextFunction): void {
    if (opts.authTokens.length === 0) return next();
    const signature = req.header('x-twilio-signature');
    const url = signedUrl(opts.publicBaseUrl, req.originalUrl);
    // GET webhooks carry their parameters in the URL, which is already signed.
    const params = req.method === 'POST' ? ((req.body ?? {}) as Record<string, string>) : {};
    if (!signature) {
      log.warn('rejected webhook: no X-Twilio-Signature header', { method: req.method, path: req.path });
      res.status(403).type('text/plain').send('Forbidden: missing Twilio signature');
      return;
    }
    const valid = opts.authTokens.some((token) => twilio.validateRequest(token, signature, url, params));
    if (!valid) {
      log.warn('rejected webhook: signature does not match (wrong auth token, tampered parameters, or PUBLIC_BASE_URL differs from the URL Twilio called)', {
        method: req.method,
        path: req.path,
        expectedBase: opts.publicBaseUrl,
      });
      res.status(403).type('text/plain').send('Forbidden: invalid Twilio signature');
      return;
    }
    next();
  };
}
