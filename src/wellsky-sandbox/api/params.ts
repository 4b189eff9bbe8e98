/**
 * Search parameters as WellSky takes them: a query string on GET, or on POST `…/_search/` a JSON
 * body whose values must all be strings (field-verified: `"active": true` is refused).
 */
import type { Request } from 'express';
import { badRequest } from '../rules';

export type Params = Record<string, string | undefined>;

export function searchParams(req: Request): Params {
  const params: Params = {};
  for (const [key, value] of Object.entries(req.query as Record<string, unknown>)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') params[key] = first;
  }
  if (req.method === 'POST' && req.body !== undefined) {
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw badRequest('Search body must be a JSON object of strings');
    for (const [key, value] of Object.entries(req.body as Record<string, unknown>)) {
      if (typeof value !== 'string') throw badRequest(`Search parameter "${key}" must be a string, got ${JSON.stringify(value)}`);
      if (params[key] === undefined) params[key] = value;
    }
  }
  return params;
}

export function body(req: Request): Record<string, unknown> {
  const b: unknown = req.body;
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw badRequest('Request body must be a JSON object');
  return b as Record<string, unknown>;
}

/** Express 5 types route params loosely; our routes only use plain string params. */
export function param(req: Request, name: string): string {
  const v = (req.params as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v.join('/') : (v ?? '');
}
