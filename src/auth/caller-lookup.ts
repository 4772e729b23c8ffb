import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { digest, findCaller, type Caller, type Scope } from './tokens.ts';

/** Tokens remembered at most; past it the oldest are forgotten first. */
const MAX_REMEMBERED = 10_000;

/**
 * Finds the caller behind a bearer token, remembering an accepted token for
 * `rememberMs` (TOKEN_CACHE_SECONDS): a producer that sends one status event
 * per request would otherwise cost a database lookup per event. A token is
 * remembered no longer than its expiry, so an expired token is refused at
 * once; one revoked meanwhile (`tracker token revoke`) is refused when it is
 * forgotten. Tokens refused are not remembered, so one created a moment ago
 * is accepted at once. Kept by digest, never as the secret itself.
 */
export class CallerLookup {
  readonly #db: Kysely<Schema>;
  readonly #rememberMs: number;
  readonly #now: () => Date;
  readonly #remembered = new Map<string, { caller: Caller; untilMs: number }>();

  constructor(db: Kysely<Schema>, rememberMs: number, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#rememberMs = rememberMs;
    this.#now = now;
  }

  async find(token: string): Promise<Caller | undefined> {
    const now = this.#now();
    const sha256 = digest(token);
    const key = sha256.toString('base64');
    const remembered = this.#remembered.get(key);
    if (remembered && remembered.untilMs > now.getTime()) return remembered.caller;
    this.#remembered.delete(key);
    const found = await findCaller(this.#db, sha256, now);
    if (!found) return undefined;
    const untilMs = Math.min(now.getTime() + this.#rememberMs, found.expiresAt?.getTime() ?? Infinity);
    if (this.#remembered.size >= MAX_REMEMBERED) this.#remembered.delete(this.#remembered.keys().next().value!);
    this.#remembered.set(key, { caller: found.caller, untilMs });
    return found.caller;
  }
}

/** The caller behind an `Authorization: Bearer …` header, whatever its scopes. */
export async function bearerCaller(callers: CallerLookup, authorization: string | undefined): Promise<Caller> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) throw new AppError('unauthenticated', 'a bearer token is required (Authorization: Bearer …)');
  const caller = await callers.find(match[1]);
  if (!caller) throw new AppError('unauthenticated', 'the bearer token is not valid: unknown, expired or revoked');
  return caller;
}

/** The caller behind an `Authorization: Bearer …` header, if it carries `scope`. */
export async function authenticate(callers: CallerLookup, authorization: string | undefined, scope: Scope): Promise<Caller> {
  const caller = await bearerCaller(callers, authorization);
  if (!caller.scopes.includes(scope)) throw new AppError('forbidden', `the token lacks the scope ${scope}`);
  return caller;
}
