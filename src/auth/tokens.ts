import crypto from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { ApiTokensTable, Schema } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { int64Param } from '../shared/int64.ts';

/** Every scope a token may carry; each API names the one it needs. */
export const SCOPES = [
  'statuses:write',
  'results:write',
  'gathering:read',
  'payloads:read',
  'data-reports:read',
  'data-reports:write',
  'dead-letters:manage',
] as const;
export type Scope = (typeof SCOPES)[number];

export interface Caller {
  orgId: string;
  userName: string;
  scopes: string[];
  /** Made for every org: a producer writes, a reader reads, any org's payloads. */
  allOrgs: boolean;
}

const TOKEN_PREFIX = 'trk_';

/** A token's SHA-256, as stored (the token itself never is). One call, not a Hash object: a seventh of the cost, per request. */
export function digest(token: string): Buffer {
  return crypto.hash('sha256', token, 'buffer');
}

export interface NewToken {
  orgId: string;
  userName: string;
  scopes: string[];
  allOrgs?: boolean;
  /** When it stops being accepted; never when absent. */
  expiresAt?: Date;
}

/**
 * Creates a token and returns it: the only time it exists in clear. A token is
 * 256 random bits, so a plain SHA-256 of it is as good as a slow hash.
 */
export async function createToken(db: Kysely<Schema>, { orgId, userName, scopes, allOrgs = false, expiresAt }: NewToken): Promise<string> {
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
    .values({
      token_sha256: digest(token),
      org_id: orgId.trim(),
      user_name: userName.trim(),
      scopes: [...new Set(scopes)],
      all_orgs: allOrgs,
      expires_at: expiresAt?.toISOString() ?? null,
    })
    .execute();
  return token;
}

export type TokenListing = Omit<Selectable<ApiTokensTable>, 'token_sha256'>;

/** Every token, oldest first, without its secret's digest (the secret itself is not stored). */
export async function listTokens(db: Kysely<Schema>): Promise<TokenListing[]> {
  return db
    .selectFrom('api_tokens')
    .select(['id', 'org_id', 'user_name', 'scopes', 'all_orgs', 'created_at', 'expires_at', 'revoked_at'])
    .orderBy('id')
    .execute();
}

/** Revokes a token by its ID; running servers refuse it once they forget it (see CallerLookup). */
export async function revokeToken(db: Kysely<Schema>, id: string, now: Date): Promise<void> {
  int64Param(id, 'the token ID');
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: sql`coalesce(revoked_at, ${now.toISOString()}::timestamptz)` })
    .where('id', '=', id)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new AppError('not_found', `no token has the ID ${id}`);
}

/** The caller a token (by its digest) names and until when it may be accepted, if it is known, unexpired and not revoked. */
export async function findCaller(
  db: Kysely<Schema>,
  tokenSha256: Buffer,
  now: Date,
): Promise<{ caller: Caller; expiresAt: Date | null } | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .select(['org_id', 'user_name', 'scopes', 'all_orgs', 'expires_at'])
    .where('token_sha256', '=', tokenSha256)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now.toISOString())]))
    .executeTakeFirst();
  return (
    row && {
      caller: { orgId: row.org_id, userName: row.user_name, scopes: row.scopes, allOrgs: row.all_orgs },
      expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
    }
  );
}
