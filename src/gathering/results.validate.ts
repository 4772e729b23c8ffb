import type { ItemProblems } from '../validation-errors.ts';
import { canonicalRequestId, canonicalUuid } from '../shared/request-id.ts';
import { validateBatch, type Fail } from '../shared/batch.ts';
import { ALPHANUMERIC_ID } from './ids.ts';
import { parseTimestamp } from '../shared/timestamps.ts';

/** One rules-pipeline result, validated: what Tracker keeps of a `ccx.ocp.results` message. */
export interface GatheringResult {
  orgId: string;
  clusterId: string;
  requestId: string;
  /** The gathering time, ISO 8601. */
  received: string;
  hits: { ruleFqdn: string; errorKey: string }[];
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** An ID the pipeline may send as a JSON number or a string. */
function readOrgId(value: unknown, fail: Fail): string {
  if ((typeof value === 'number' && Number.isInteger(value) && value >= 0) || (typeof value === 'string' && /^\d{1,20}$/.test(value))) {
    return String(value);
  }
  fail('OrgID', value === undefined || value === null ? 'is required' : 'must be a whole number');
  return '';
}

/**
 * Longest rule component and key taken. Both are indexed (the rule hits' key),
 * and a btree entry over ~2,700 bytes is an error; rule names are far shorter.
 */
export const RULE_NAME_MAX = 256;

function readHits(report: unknown, fail: Fail): GatheringResult['hits'] {
  if (report === undefined || report === null) return [];
  const reports = asObject(report)?.reports;
  if (reports === undefined || reports === null) return [];
  if (!Array.isArray(reports)) {
    fail('Report.reports', 'must be an array');
    return [];
  }
  const hits: GatheringResult['hits'] = [];
  reports.forEach((hit, index) => {
    const { component, key } = asObject(hit) ?? {};
    if (typeof component !== 'string' || component === '' || typeof key !== 'string' || key === '') {
      fail(`Report.reports.${index}`, 'must have a component and a key, both non-empty strings');
      return;
    }
    for (const [field, value] of [
      ['component', component],
      ['key', key],
    ] as const) {
      if (value.length > RULE_NAME_MAX) return fail(`Report.reports.${index}.${field}`, `must be at most ${RULE_NAME_MAX} characters long`);
    }
    // The component names the rule module's report function; the rule is the module.
    hits.push({ ruleFqdn: component.replace(/\.report$/, ''), errorKey: key });
  });
  return hits;
}

function validateResult(message: Record<string, unknown>, fail: Fail): GatheringResult {
  const orgId = readOrgId(message.OrgID, fail);

  const clusterId = typeof message.ClusterName === 'string' ? canonicalUuid(message.ClusterName) : undefined;
  if (!clusterId) fail('ClusterName', message.ClusterName === undefined ? 'is required' : 'must be a cluster UUID');

  const rawRequestId = message.RequestId;
  const requestId = typeof rawRequestId === 'string' ? canonicalRequestId(rawRequestId) : undefined;
  if (!requestId || !ALPHANUMERIC_ID.test(requestId)) {
    fail('RequestId', rawRequestId === undefined ? 'is required' : 'must be 1 to 64 letters and digits, or a UUID');
  }

  // Gathering time, or when the pipeline checked the archive if the metadata lacks it.
  const gatheringTime = asObject(message.Metadata)?.gathering_time ?? message.LastChecked;
  const received = typeof gatheringTime === 'string' ? parseTimestamp(gatheringTime) : undefined;
  if (!received) {
    fail('Metadata.gathering_time', gatheringTime === undefined ? 'is required (or LastChecked)' : 'must be an RFC 3339 date-time');
  }

  return {
    orgId,
    clusterId: clusterId ?? '',
    requestId: requestId ?? '',
    received: received?.iso ?? '',
    hits: readHits(message.Report, fail),
  };
}

export function validateResults(items: unknown[], maxMessages: number, schemaProblems?: ItemProblems): GatheringResult[] {
  return validateBatch(items, { noun: 'results messages', maxItems: maxMessages, schemaProblems }, validateResult);
}
