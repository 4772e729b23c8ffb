import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { AppError, invalid, type ErrorDetail } from '../errors.ts';
import { JOB_TYPES } from '../reports/report-types.ts';
import { REPORT_FORMATS } from '../reports/writers.ts';
import { canonicalUuid } from '../shared/request-id.ts';

export const FREQUENCIES = ['daily', 'weekly', 'monthly'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

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

const EMAIL = /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[^\s@,;<>"]+$/;
/** An RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens. */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const MAX_RECIPIENTS = 50;
const MAX_LIST = 1000;
const NAME_MAX = 200;

function stringList(value: unknown, field: string, max: number): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item.trim() === '')) {
    throw invalid(field, 'must be a list of non-empty strings');
  }
  if (value.length > max) throw invalid(field, `may hold at most ${max} entries`);
  return [...new Set(value.map((item: string) => item.trim()))];
}

const readers: { [K in keyof ScheduleAttrs]: (value: unknown) => ScheduleAttrs[K] } = {
  name: (value) => {
    if (typeof value !== 'string' || value.trim() === '' || value.length > NAME_MAX) {
      throw invalid('name', `must be a non-empty string of at most ${NAME_MAX} characters`);
    }
    return value.trim();
  },
  type: (value) => {
    if (!(JOB_TYPES as readonly unknown[]).includes(value)) throw invalid('type', `must be one of ${JOB_TYPES.join(', ')}`);
    return value as string;
  },
  schedule: (value) => {
    if (!(FREQUENCIES as readonly unknown[]).includes(value)) throw invalid('schedule', `must be one of ${FREQUENCIES.join(', ')}`);
    return value as Frequency;
  },
  timezone: (value) => {
    if (typeof value !== 'string' || value === '') throw invalid('timezone', 'must be an IANA time zone name such as Europe/Rome');
    return value;
  },
  // IDs filter the report; a host name, as the spec's example gives, is kept and reported as found or not.
  hosts: (value) => {
    if (value === null || value === undefined) return [];
    return stringList(value, 'hosts', MAX_LIST).map((host) => {
      const id = canonicalUuid(host);
      if (id) return id;
      if (!HOST_NAME.test(host)) throw invalid('hosts', `"${host}" is neither a host name nor an inventory, system or cluster ID (a UUID)`);
      return host.toLowerCase();
    });
  },
  services: (value) => {
    if (value === null || value === undefined) return null;
    const services = stringList(value, 'services', MAX_LIST).map((service) => service.toLowerCase());
    return services.length === 0 ? null : services;
  },
  send_to: (value) => {
    const addresses = stringList(value, 'send_to', MAX_RECIPIENTS);
    if (addresses.length === 0) throw invalid('send_to', 'must name at least one e-mail address');
    for (const address of addresses) {
      if (address.length > 254 || !EMAIL.test(address)) throw invalid('send_to', `"${address}" is not an e-mail address`);
    }
    return addresses;
  },
  send_via: (value) => {
    if (value !== 'email') throw invalid('send_via', 'must be email');
    return 'email';
  },
  format: (value) => {
    if (!(REPORT_FORMATS as readonly unknown[]).includes(value)) throw invalid('format', `must be one of ${REPORT_FORMATS.join(', ')}`);
    return value as string;
  },
};

const REQUIRED: (keyof ScheduleAttrs)[] = ['name', 'type', 'schedule', 'timezone', 'send_to'];
const DEFAULTS: Partial<ScheduleAttrs> = { hosts: [], services: null, send_via: 'email', format: 'csv' };

/**
 * Reads the attributes of a new schedule (`partial` false) or of a change to one
 * (`partial` true: only those given). Unknown attributes are refused, so that a
 * misspelt one is not silently ignored. Throws naming the bad attribute.
 */
export async function readScheduleAttrs(db: Kysely<Schema>, body: unknown, partial: boolean): Promise<Partial<ScheduleAttrs>> {
  const container = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  const attrs = container && 'attrs' in container ? container.attrs : container;
  if (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs)) throw invalid('attrs', 'must be an object of schedule attributes');
  const given = attrs as Record<string, unknown>;
  const result: Record<string, unknown> = partial ? {} : { ...DEFAULTS };
  // Every bad attribute is named, not only the first.
  const problems: ErrorDetail[] = [];
  const refuse = (field: string, reason: string) => problems.push({ field, reason });
  for (const [key, value] of Object.entries(given)) {
    if (!(key in readers)) {
      refuse(key, `is not a schedule attribute; they are ${Object.keys(readers).join(', ')}`);
      continue;
    }
    try {
      result[key] = readers[key as keyof ScheduleAttrs](value);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      problems.push(...error.details);
    }
  }
  if (!partial) for (const key of REQUIRED) if (!(key in given)) refuse(key, 'is required');
  if (partial && Object.keys(given).length === 0) refuse('attrs', 'name at least one attribute to change');
  if (typeof result.timezone === 'string') {
    const { rows } = await sql<{ known: boolean }>`
      select exists (select 1 from pg_timezone_names where name = ${result.timezone}) as known`.execute(db);
    if (!rows[0].known) refuse('timezone', `"${result.timezone}" is not an IANA time zone name`);
  }
  if (problems.length > 0) {
    throw new AppError('invalid', problems.map((problem) => `${problem.field}: ${problem.reason}`).join('; '), problems);
  }
  return result as Partial<ScheduleAttrs>;
}
