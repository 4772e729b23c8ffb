import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
    ingestRequestsPerCommit: new Histogram({
      name: 'tracker_ingest_requests_per_commit',
      help: 'Ingest requests stored by one commit (group commit: requests that arrive together are stored together)',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
      registers: [registry],
    }),
    // The bus consumer's (worker role), when NATS_URL is set.
    busConsumed: new Counter({ name: 'tracker_bus_consumed_messages', help: 'Messages taken off the bus', registers: [registry] }),
    busStored: new Counter({
      name: 'tracker_bus_stored_messages',
      help: 'Bus messages stored as new statuses (the rest were dead letters or redelivered duplicates)',
      registers: [registry],
    }),
    busDeadLettered: new Counter({
      name: 'tracker_bus_dead_lettered_messages',
      help: 'Bus messages kept as dead letters',
      registers: [registry],
    }),
    busBatchSeconds: new Histogram({
      name: 'tracker_bus_batch_seconds',
      help: 'Seconds to store a batch of bus messages, from taken to acknowledged',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    busPending: new Gauge({
      name: 'tracker_bus_pending_messages',
      help: 'Messages on the bus not yet delivered to Tracker',
      registers: [registry],
    }),
    busAckPending: new Gauge({
      name: 'tracker_bus_ack_pending_messages',
      help: 'Messages delivered to Tracker and not yet acknowledged',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
