import type { IncomingHttpHeaders } from 'node:http';
import { AppError } from '../errors.ts';
import { decodeIdentity, identityOrg } from './identity.ts';
import { authenticate, type CallerLookup } from './caller-lookup.ts';
import type { Scope } from './tokens.ts';

/**
 * The org a caller acts for: from its bearer token (which must carry `scope`)
 * when it sends one, else from the platform's x-rh-identity header when it is
 * trusted (`identity.org_id`, or `identity.internal.org_id`).
 */
export async function callerOrg(
  callers: CallerLookup,
  headers: IncomingHttpHeaders,
  scope: Scope,
  trustIdentity: boolean,
): Promise<string> {
  if (headers.authorization) return (await authenticate(callers, headers.authorization, scope)).orgId;
  if (!trustIdentity) throw new AppError('unauthenticated', `a bearer token with ${scope} is required`);
  const identity = decodeIdentity(headers['x-rh-identity']);
  if (!identity) throw new AppError('unauthenticated', 'a bearer token or a readable x-rh-identity header is required');
  const org = identityOrg(identity);
  if (!org) throw new AppError('unauthenticated', 'the x-rh-identity header names no org_id');
  return org;
}
