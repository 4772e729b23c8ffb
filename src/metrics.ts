import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per app, so that apps built side by side in tests keep their own counts. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    // The names the platform's payload tracker exposes, so existing dashboards keep working.
    requests: new Counter({
      name: 'payload_tracker_requests',
      help: 'Number of requests to the payload tracker.',
      registers: [registry],
    }),
    responses: new Counter({
      name: 'payload_tracker_responses',
      help: 'Count of response codes by code',
      labelNames: ['code'],
      registers: [registry],
    }),
    dbSeconds: new Histogram({
      name: 'payload_tracker_db_seconds',
      help: 'Number of seconds spent waiting on a db response',
      registers: [registry],
    }),
    consumedMessages: new Counter({
      name: 'payload_tracker_consumed_messages',
      help: 'Number of status messages received by the payload tracker',
      registers: [registry],
    }),
    storedMessages: new Counter({
      name: 'payload_tracker_stored_messages',
      help: 'Number of status messages stored (received less redelivered duplicates)',
      registers: [registry],
    }),
    messageProcessErrors: new Counter({
      name: 'payload_tracker_message_process_errors',
      help: 'Count of status messages refused as invalid',
      registers: [registry],
    }),
    messageProcessSeconds: new Histogram({
      name: 'payload_tracker_message_process_seconds',
      help: 'Number of seconds spent storing a batch of status messages',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
