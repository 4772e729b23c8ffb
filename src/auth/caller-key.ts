import type { FastifyRequest } from 'fastify';
import { decodeIdentity, identityOrg, type Identity } from './identity.ts';
import { grantOf } from './route-access.ts';
import { digest } from './tokens.ts';

/** The fields that name who an identity is, by its type, in the order asked. */
const NAME_FIELDS: [string, string][] = [
  ['user', 'username'],
  ['user', 'user_id'],
  ['service_account', 'client_id'],
  ['service_account', 'username'],
  ['system', 'cn'],
  ['associate', 'email'],
  ['x509', 'subject_dn'],
];

/** Who a trusted identity names: its org and, when it has one, its user's (or system's) name. */
function identityKey(identity: Identity): string | undefined {
  const org = identityOrg(identity);
  for (const [part, field] of NAME_FIELDS) {
    const name = (identity[part] as Record<string, unknown> | undefined)?.[field];
    if (typeof name === 'string' || typeof name === 'number') return `identity ${org ?? ''}/${part}/${name}`;
  }
  return org === undefined ? undefined : `identity ${org}`;
}

/**
 * Whom a request counts against, for limits per caller: its bearer token when
 * the route checked one, else the user a trusted x-rh-identity names, else
 * its client address (taken from X-Forwarded-For only with TRUST_PROXY).
 * Behind the platform's gateway every user comes from the gateway's address,
 * so an address alone would make them share one limit. Only what was checked
 * or is trusted counts: a client inventing a new token per request would
 * otherwise have a new limit each time.
 */
export function callerKeyOf(request: FastifyRequest, trustIdentity: boolean): string {
  const { caller } = grantOf(request);
  const token = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
  if (caller && token) return `token ${digest(token).toString('base64')}`;
  const identity = trustIdentity ? decodeIdentity(request.headers['x-rh-identity']) : undefined;
  return (identity && identityKey(identity)) ?? `address ${request.ip}`;
}
