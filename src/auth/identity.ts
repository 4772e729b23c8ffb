import { invalid } from '../errors.ts';

/**
 * The platform's `x-rh-identity` header: base64 of a JSON document whose
 * `identity` says who calls. Returns undefined when it is missing or unreadable.
 */
export interface Identity {
  type?: unknown;
  org_id?: string;
  internal?: { org_id?: string };
  associate?: { Role?: unknown };
  [key: string]: unknown;
}

export function decodeIdentity(header: string | string[] | undefined): Identity | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  try {
    const document = JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
    const identity = document?.identity;
    return typeof identity === 'object' && identity !== null && !Array.isArray(identity) ? identity : undefined;
  } catch {
    return undefined;
  }
}

export function hasRole(identity: Identity, role: string): boolean {
  const roles = identity.associate?.Role;
  return Array.isArray(roles) && roles.includes(role);
}

/** As long as an event's org_id may be (ID_MAX): org IDs are indexed wherever they are kept. */
const ORG_ID_MAX = 64;

/** The org an identity names (`org_id`, or `internal.org_id`), trimmed, or undefined when it names none. */
export function identityOrg(identity: Identity): string | undefined {
  const orgId = identity.org_id ?? identity.internal?.org_id;
  if (typeof orgId !== 'string' && typeof orgId !== 'number') return undefined;
  const org = String(orgId).trim();
  if (org.includes('\u0000')) throw invalid('x-rh-identity', 'its org_id must not contain a NUL character (\\u0000)');
  if (org.length > ORG_ID_MAX) throw invalid('x-rh-identity', `its org_id must be at most ${ORG_ID_MAX} characters long`);
  return org === '' ? undefined : org;
}
