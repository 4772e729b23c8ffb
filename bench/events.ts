import crypto from 'node:crypto';
import { SERVICES } from './scale-data.ts';

const STEPS = ['received', 'processing', 'validated'];

export interface BenchEvent {
  request_id: string;
  service: string;
  status: string;
  status_msg?: string;
  account: string;
  org_id: string;
  date: string;
}

const pick = (n: number) => Math.floor(Math.random() * n);

/**
 * Realistic status events: payloads of a few orgs and accounts spread over the
 * 7 days before `now`, 5 to 9 services each, 1 to 4 statuses per service ending
 * in success (or, one time in ten, an error with its message), a few seconds apart.
 */
export function generateEvents(count: number, now = Date.now()): BenchEvent[] {
  const events: BenchEvent[] = [];
  const start = now - 7 * 86_400_000;
  while (events.length < count) {
    const request_id = crypto.randomBytes(16).toString('hex');
    const org = pick(5);
    const account = `acct${org * 10 + pick(10)}`;
    let time = start + pick(7 * 86_400_000 - 3_600_000);
    for (const service of SERVICES.slice(0, 5 + pick(5))) {
      const failed = Math.random() < 0.1;
      const statuses = [...STEPS, failed ? 'error' : 'success'].slice(3 - pick(4));
      for (const status of statuses) {
        time += 1 + pick(3000);
        events.push({
          request_id,
          service,
          status,
          ...(status === 'error' ? { status_msg: 'could not parse the archive: unexpected end of file' } : {}),
          account,
          org_id: `org${org}`,
          date: new Date(time).toISOString(),
        });
      }
    }
  }
  return events.slice(0, count);
}

/** In the order of their dates, as the platform's services send them (over HTTP or the bus): a batch holds many payloads' events. */
export const byDate = (a: BenchEvent, b: BenchEvent) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0);

/** `events` in request bodies of `size`, serialized ahead so that timing measures the server. */
export function batchBodies(events: BenchEvent[], size: number): string[] {
  const bodies: string[] = [];
  for (let i = 0; i < events.length; i += size) bodies.push(JSON.stringify(events.slice(i, i + size)));
  return bodies;
}

/** The distinct UTC days of the events, so partitions can be made ahead. */
export function utcDays(events: BenchEvent[]): string[] {
  return [...new Set(events.map((event) => event.date.slice(0, 10)))];
}
