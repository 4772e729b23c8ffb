import { invalid } from '../errors.ts';
import { canonicalRequestId, canonicalUuid } from '../shared/request-id.ts';

/** What a gathering request ID may hold: letters and digits, as the rules pipeline writes them. */
export const ALPHANUMERIC_ID = /^[A-Za-z0-9]{1,64}$/;

/** A cluster ID is a UUID, kept in its dashed lower-case form. */
export function clusterIdParam(value: string): string {
  const clusterId = canonicalUuid(value);
  if (!clusterId) throw invalid('clusterID', `must be a UUID, not "${value}"`);
  return clusterId;
}

/**
 * A gathering request ID is letters and digits only. It is the payload
 * tracker's request ID, in the same canonical form (32 hex digits lower-cased).
 */
export function gatheringRequestId(value: string, field = 'requestID'): string {
  const requestId = ALPHANUMERIC_ID.test(value) ? canonicalRequestId(value) : undefined;
  if (!requestId) throw invalid(field, `must be 1 to 64 letters and digits, not "${value}"`);
  return requestId;
}
