import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { AppError } from '../errors.ts';

/** Every scope a token may carry; each API names the one it needs. */
export const SCOPES = [
  'statuses:write',
  'results:write',
  'gathering:read',
  'data-reports:read',
  'data-reports:write',
] as const;
export type Scope = (typeof SCOPES)[number];

export interface Caller {
  orgId: string;
  userName: string;
  scopes: string[];
}

const TOKEN_PREFIX = 'trk_';

function digest(token: string): Buffer {
  return crypto.createHash('sha256').update(token).digest();
}

/**
 * Creates a token and returns it: the only time it exists in clear. A token is
 * 256 random bits, so a plain SHA-256 of it is as good as a slow hash.
 */
export async function createToken(
  db: Kysely<Schema>,
  { orgId, userName, scopes }: { orgId: string; userName: string; scopes: string[] },
): Promise<string> {
  if (!orgId.trim()) throw new AppError('invalid', 'an org is required');
  if (!userName.trim()) throw new AppError('invalid', 'a user name is required');
  if (scopes.length === 0) throw new AppError('invalid', `at least one scope is required: ${SCOPES.join(', ')}`);
  const unknown = scopes.filter((scope) => !(SCOPES as readonly string[]).includes(scope));
  if (unknown.length > 0) {
    throw new AppError('invalid', `unknown scope ${unknown.join(', ')}; known scopes: ${SCOPES.join(', ')}`);
  }
  const token = TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
  await db
    .insertInto('api_tokens')
    .values({ token_sha256: digest(token), org_id: orgId.trim(), user_name: userName.trim(), scopes: [...new Set(scopes)] })
    .execute();
  return token;
}

export async function findCaller(db: Kysely<Schema>, token: string): Promise<Caller | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .select(['org_id', 'user_name', 'scopes'])
    .where('token_sha256', '=', digest(token))
    .executeTakeFirst();
  return row && { orgId: row.org_id, userName: row.user_name, scopes: row.scopes };
}

/** The caller behind an `Authorization: Bearer …` header, if it carries `scope`. */
export async function authenticate(
  db: Kysely<Schema>,
  authorization: string | undefined,
  scope: Scope,
): Promise<Caller> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) throw new AppError('unauthenticated', 'a bearer token is required (Authorization: Bearer …)');
  const caller = await findCaller(db, match[1]);
  if (!caller) throw new AppError('unauthenticated', 'the bearer token is not valid');
  if (!caller.scopes.includes(scope)) throw new AppError('forbidden', `the token lacks the scope ${scope}`);
  return caller;
}
