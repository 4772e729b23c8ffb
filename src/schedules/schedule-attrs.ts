import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { invalidFields, type ErrorDetail } from '../errors.ts';
import { canonicalUuid } from '../shared/request-id.ts';
import { isKnownTimeZone } from '../shared/time-zone.ts';
import type { Frequency } from './schedules.schemas.ts';

/** The attributes a user sets; the server sets the rest. */
export interface ScheduleAttrs {
  name: string;
  type: string;
  schedule: Frequency;
  timezone: string;
  hosts: string[];
  services: string[] | null;
  send_to: string[];
  send_via: 'email';
  format: string;
}

const unique = (values: string[]) => [...new Set(values)];

/**
 * What the schema (NewScheduleBody, ScheduleChangeBody) cannot do: the stored
 * form of each attribute it let through.
 */
const normalize: { [K in keyof ScheduleAttrs]: (value: never) => ScheduleAttrs[K] } = {
  name: (value: string) => value.trim(),
  type: (value: string) => value,
  schedule: (value: Frequency) => value,
  timezone: (value: string) => value,
  // IDs filter the report; a host name, as the spec's example gives, is kept and reported as found or not.
  hosts: (value: string[] | null) => unique((value ?? []).map((host) => canonicalUuid(host) ?? host.toLowerCase())),
  services: (value: string[] | null) => {
    const services = unique((value ?? []).map((service) => service.trim().toLowerCase()));
    return services.length === 0 ? null : services;
  },
  send_to: (value: string[]) => unique(value),
  send_via: () => 'email',
  format: (value: string) => value,
};

const DEFAULTS: Partial<ScheduleAttrs> = { hosts: [], services: null, send_via: 'email', format: 'csv' };

/**
 * Reads the attributes of a new schedule (`partial` false) or of a change to
 * one (`partial` true: only those given), as the route's schema let them
 * through. Every bad attribute is named in one error: the schema's `problems`
 * and an unknown time zone.
 */
export async function readScheduleAttrs(
  db: Kysely<Schema>,
  attrs: Record<string, unknown> | undefined,
  partial: boolean,
  problems: ErrorDetail[],
): Promise<Partial<ScheduleAttrs>> {
  const flagged = new Set(problems.map((problem) => problem.field.split('.')[0]));
  const result: Record<string, unknown> = partial ? {} : { ...DEFAULTS };
  const given = typeof attrs === 'object' && attrs !== null && !Array.isArray(attrs) ? attrs : {};
  for (const [key, value] of Object.entries(given)) {
    if (key in normalize && !flagged.has(key)) result[key] = normalize[key as keyof ScheduleAttrs](value as never);
  }
  const allProblems = [...problems];
  if (typeof result.timezone === 'string' && !(await isKnownTimeZone(db, result.timezone))) {
    allProblems.push({ field: 'timezone', reason: `"${result.timezone}" is not an IANA time zone name` });
  }
  if (allProblems.length > 0) throw invalidFields(allProblems);
  return result;
}
