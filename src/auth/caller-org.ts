import type { IncomingHttpHeaders } from 'node:http';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { AppError, invalid } from '../errors.ts';
import { decodeIdentity } from './identity.ts';
import { authenticate, type Scope } from './tokens.ts';

/**
 * The org a caller acts for: from its bearer token (which must carry `scope`)
 * when it sends one, else from the platform's x-rh-identity header
 * (`identity.org_id`, or `identity.internal.org_id`).
 */
export async function callerOrg(db: Kysely<Schema>, headers: IncomingHttpHeaders, scope: Scope): Promise<string> {
  if (headers.authorization) return (await authenticate(db, headers.authorization, scope)).orgId;
  const identity = decodeIdentity(headers['x-rh-identity']);
  if (!identity) throw new AppError('unauthenticated', 'a bearer token or a readable x-rh-identity header is required');
  const orgId = identity.org_id ?? identity.internal?.org_id;
  if (typeof orgId !== 'string' && typeof orgId !== 'number') {
    throw new AppError('unauthenticated', 'the x-rh-identity header names no org_id');
  }
  const org = String(orgId).trim();
  if (org === '') throw new AppError('unauthenticated', 'the x-rh-identity header names no org_id');
  if (org.includes('\u0000')) throw invalid('x-rh-identity', 'its org_id must not contain a NUL character (\\u0000)');
  return org;
}
