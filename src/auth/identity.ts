/**
 * The platform's `x-rh-identity` header: base64 of a JSON document whose
 * `identity` says who calls. Returns undefined when it is missing or unreadable.
 */
export interface Identity {
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
