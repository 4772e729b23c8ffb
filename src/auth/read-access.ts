import type { IncomingHttpHeaders } from 'node:http';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { decodeIdentity, identityOrg } from './identity.ts';
import { authenticate, type CallerLookup } from './caller-lookup.ts';
import type { Caller } from './tokens.ts';

/** Whose payloads a reader sees: one org's, or every org's when `orgId` is absent; and the token's caller, when one was checked. */
export interface ReadScope {
  orgId?: string;
  caller?: Caller;
}

/**
 * The payloads a caller of the payload tracker's reads may see. Open reads
 * (the spec's behaviour) see everything. Authenticated reads need a bearer
 * token with payloads:read, which sees its org (every org if made for all), or
 * a trusted x-rh-identity: an associate sees every org, anyone else their own.
 */
export async function readScope(callers: CallerLookup, headers: IncomingHttpHeaders, config: Readonly<Config>): Promise<ReadScope> {
  if (config.readAccess === 'open') return {};
  if (headers.authorization) {
    const caller = await authenticate(callers, headers.authorization, 'payloads:read');
    return caller.allOrgs ? { caller } : { caller, orgId: caller.orgId };
  }
  const identity = config.identityHeader === 'trust' ? decodeIdentity(headers['x-rh-identity']) : undefined;
  if (identity?.type === 'Associate') return {};
  const orgId = identity && identityOrg(identity);
  if (orgId) return { orgId };
  throw new AppError(
    'unauthenticated',
    config.identityHeader === 'trust'
      ? 'reading needs a bearer token with payloads:read or an x-rh-identity header naming an org'
      : 'reading needs a bearer token with payloads:read',
  );
}
