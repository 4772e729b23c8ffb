import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { headroom } from './connection-limits.ts';
import { DEFAULT_DATABASE_TIMEOUTS, type DatabaseTimeouts } from './db/create-db.ts';
import { LOG_FORMATS, type LogFormat } from './logger.ts';
import { redactUrl } from './redact.ts';

/** Everything Tracker reads from its environment, validated once. */
export interface Config {
  port: number;
  host: string;
  /** PostgreSQL connection string; absent means the embedded PGlite database in `dataDir`. */
  databaseUrl: string | undefined;
  /** How long PostgreSQL may take to connect, and to answer one statement, before a request gets 503. */
  databaseTimeouts: DatabaseTimeouts;
  dataDir: string;
  logLevel: string;
  /** LOG_FORMAT: json or pretty; unset, pretty on a terminal and json elsewhere. */
  logFormat: LogFormat | undefined;
  /** Status partitions older than this many days are dropped, with the payloads that have nothing newer. */
  retentionDays: number;
  /** Largest accepted body of `POST /v1/statuses`, in bytes. */
  ingestBodyLimit: number;
  /** Most status events accepted in one request. */
  ingestMaxEvents: number;
  /** How long an accepted bearer token is remembered (so a token revoked elsewhere is refused after at most this). */
  tokenCacheSeconds: number;
  /** Ingest stores running at once; requests arriving while they run are stored together (group commit). */
  ingestConcurrentCommits: number;
  /** Largest `page_size` of the list endpoints. */
  maxPageSize: number;
  archiveRole: string;
  storageBrokerUrl: string | undefined;
  storageBrokerTimeoutMs: number;
  /** How long a payload may go without a status before it counts as stuck (`STUCK_AFTER`). */
  stuckAfterMs: number;
  /** Statuses after which a payload is done: success, error and those of `TERMINAL_STATUSES`. */
  terminalStatuses: readonly string[];
  kibanaUrl: string;
  kibanaIndex: string;
  kibanaServiceField: string;
  /** How long gathering results answer after they are stored, in milliseconds. */
  gatheringTtlMs: number;
  /** Most request IDs one `POST /cluster/{id}/requests` may ask about. */
  gatheringMaxRequestIds: number;
  /** Where rendered report files are written. */
  reportsDir: string;
  reportMaxSpanDays: number;
  /** Most report jobs an org may have created or processing at once. */
  reportMaxUnfinished: number;
  /** Attempts at rendering a report before its job fails. */
  reportMaxAttempts: number;
  /** Days a rendered report file is kept. */
  reportFileTtlDays: number;
  /** A renderer (a process of the worker role rendering a report) proves it is alive this often; a silent one's job is retried elsewhere. */
  reportHeartbeatSeconds: number;
  /** SMTP server scheduled reports are mailed through, as a URL (`smtp://user:pass@host:587`). */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Larger files are mailed as a download link rather than attached. */
  mailAttachmentMaxBytes: number;
  mailMaxAttempts: number;
  mailRetryDelaySeconds: number;
  /** The address users reach Tracker at, for download links in mail. */
  publicUrl: string;
  /** How long a client may take to send its request headers, then its whole request. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** Connections held at once (MAX_CONNECTIONS), and by one client address (MAX_CONNECTIONS_PER_CLIENT; 0: no limit). */
  maxConnections: number;
  maxConnectionsPerClient: number;
  /** Whether the payload tracker's reads are open to anyone (the spec) or need a token or an identity. */
  readAccess: 'open' | 'authenticated';
  /** Whether x-rh-identity is believed (behind the platform's gateway) or ignored. */
  identityHeader: 'trust' | 'ignore';
  /** Both of the above were left to their defaults, which are safe only on a loopback address. */
  accessDefaulted: boolean;
  /**
   * TRUST_PROXY: the proxies (addresses, CIDRs) whose X-Forwarded-For is
   * believed for the client's address (live streams per caller, the request log);
   * false (the default): the peer's own address only.
   */
  trustProxy: false | string[];
  bus?: BusConfig;
  /** Where a worker-only process serves /metrics; not served when absent. */
  metricsPort?: number;
}

/** Where status events are consumed from the bus (NATS JetStream), when NATS_URL is set. */
export interface BusConfig {
  url: string;
  stream: string;
  subject: string;
  consumer: string;
  /** How long the stream keeps messages (Limits retention), so a new consumer can replay them. */
  maxAgeMs: number;
  /** Deliveries of a message before JetStream gives up on it (it then becomes a dead letter). */
  maxDeliver: number;
  /** Messages stored per transaction at most, and how long a batch waits to fill. */
  batchSize: number;
  batchWaitMs: number;
  /** The one org whose events the bus may carry; every org's when absent. */
  orgId?: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}

function text(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

function optionalUrl(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  // The message is printed at start-up: a password in the value must not be.
  if (!URL.canParse(raw)) throw new ConfigError(`${name} must be a URL, not "${redactUrl(raw)}"`);
  return raw;
}

const DURATION = /^(\d+)\s*(ms|s|m|h|d)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration such as `24h`, `90m`, `30s`, `2d` or `500ms` in milliseconds (a bare number is seconds); NaN when it is not one. */
export function durationMs(raw: string): number {
  const match = DURATION.exec(raw.trim());
  return match ? Number(match[1]) * UNIT_MS[match[2] ?? 's'] : NaN;
}

export function parseDuration(raw: string, name: string): number {
  const ms = durationMs(raw);
  if (!(ms > 0)) throw new ConfigError(`${name} must be a positive duration such as 24h, 90m or 30s, not "${raw}"`);
  return ms;
}

function duration(env: NodeJS.ProcessEnv, name: string, fallback: string): number {
  return parseDuration(text(env, name, fallback), name);
}

function choice<T extends string>(env: NodeJS.ProcessEnv, name: string, choices: readonly T[]): T | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!(choices as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be ${choices.join(' or ')}, not "${raw}"`);
  return raw as T;
}

/** success and error always end a payload; `TERMINAL_STATUSES` (comma separated) names more. */
function terminalStatuses(env: NodeJS.ProcessEnv): string[] {
  const named = text(env, 'TERMINAL_STATUSES', '')
    .split(',')
    .map((status) => status.trim().toLowerCase())
    .filter((status) => status !== '');
  return [...new Set(['success', 'error', ...named])];
}

/** A JetStream name: no spaces, dots, wildcards or path separators. */
function jetStreamName(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const value = text(env, name, fallback);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(value)) throw new ConfigError(`${name} must be letters, digits, - and _ (at most 64), not "${value}"`);
  return value;
}

function busConfig(env: NodeJS.ProcessEnv): BusConfig | undefined {
  const url = optionalUrl(env, 'NATS_URL');
  if (!url) return undefined;
  const subject = text(env, 'NATS_SUBJECT', 'platform.payload-status');
  if (/[\s*>]/.test(subject)) throw new ConfigError(`NATS_SUBJECT must be one subject, without spaces or wildcards, not "${subject}"`);
  return {
    url,
    stream: jetStreamName(env, 'NATS_STREAM', 'PAYLOAD_STATUS'),
    subject,
    consumer: jetStreamName(env, 'NATS_CONSUMER', 'tracker'),
    maxAgeMs: duration(env, 'NATS_MAX_AGE', '7d'),
    maxDeliver: integer(env, 'NATS_MAX_DELIVER', 20, 2, 1000),
    batchSize: integer(env, 'NATS_BATCH_SIZE', 1000, 1, 10_000),
    batchWaitMs: duration(env, 'NATS_BATCH_WAIT', '50ms'),
    orgId: env.NATS_ORG_ID?.trim() || undefined,
  };
}

/** The process's soft limit on open files (what `ulimit -n` says), when the system tells it (Linux does). */
export function openFileLimit(): number | undefined {
  try {
    const line = fs
      .readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((row) => row.startsWith('Max open files'));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    return Number.isInteger(soft) && soft > 0 ? soft : undefined;
  } catch {
    return undefined;
  }
}

/**
 * MAX_CONNECTIONS and MAX_CONNECTIONS_PER_CLIENT. The total, with its headroom, stays
 * under half the open-file limit: the database, the report files and the bus need the
 * rest. One client (a peer address) may hold a quarter of it, unless a proxy is in
 * front (`proxied`: TRUST_PROXY names one, or x-rh-identity is trusted, as behind the
 * platform's gateway): every connection is then the proxy's, and only the total applies.
 */
function connectionLimits(env: NodeJS.ProcessEnv, proxied: boolean) {
  const fileLimit = openFileLimit();
  const most = fileLimit === undefined ? 100_000 : Math.max(1, Math.floor(fileLimit / 2 / 1.1) - 10);
  const total = integer(env, 'MAX_CONNECTIONS', Math.min(4096, most), 1, 1_000_000);
  if (total + headroom(total) > (fileLimit ?? Infinity) / 2) {
    throw new ConfigError(
      `MAX_CONNECTIONS must be at most ${most}: with its headroom for health probes it must stay under half of this ` +
        `process's open-file limit (ulimit -n: ${fileLimit}), not "${total}"`,
    );
  }
  const perClient = integer(env, 'MAX_CONNECTIONS_PER_CLIENT', proxied ? 0 : Math.ceil(total / 4), 0, total);
  return { maxConnections: total, maxConnectionsPerClient: perClient };
}

/** Names Fastify's trustProxy (proxy-addr) knows for address ranges. */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY: the proxies' addresses and CIDRs, comma-separated. Not "every
 * hop" nor a hop count: X-Forwarded-For's first address is the client's to
 * write, so a proxy is believed only when the peer is one of those named.
 */
function trustProxy(env: NodeJS.ProcessEnv): false | string[] {
  const raw = text(env, 'TRUST_PROXY', 'false').trim();
  if (raw === 'false') return false;
  const proxies = raw.split(',').map((entry) => entry.trim());
  const refused = proxies.filter((entry) => {
    const [address, bits, ...rest] = entry.split('/');
    const family = net.isIP(address);
    const bitsOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    return !PROXY_RANGES.includes(entry) && !(family !== 0 && bitsOk && rest.length === 0);
  });
  if (refused.length > 0) {
    throw new ConfigError(
      `TRUST_PROXY must name the proxies in front of Tracker by address or CIDR (or ${PROXY_RANGES.join(', ')}), ` +
        `comma-separated, or be false; not "${refused.join(',')}"`,
    );
  }
  return proxies;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: NodeJS.ProcessEnv): Readonly<Config> {
  const logLevel = text(env, 'LOG_LEVEL', 'info');
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not "${logLevel}"`);
  }
  const dataDir = path.resolve(text(env, 'DATA_DIR', './data'));
  const readAccess = choice(env, 'READ_ACCESS', ['open', 'authenticated'] as const);
  const identityHeader = choice(env, 'IDENTITY_HEADER', ['trust', 'ignore'] as const);
  const proxies = trustProxy(env);
  const headersTimeoutSeconds = integer(env, 'HEADERS_TIMEOUT_SECONDS', 10, 1, 3600);
  const requestTimeoutSeconds = integer(env, 'REQUEST_TIMEOUT_SECONDS', 60, 1, 3600);
  if (headersTimeoutSeconds > requestTimeoutSeconds) {
    throw new ConfigError('HEADERS_TIMEOUT_SECONDS must not be longer than REQUEST_TIMEOUT_SECONDS');
  }
  return Object.freeze({
    port: integer(env, 'PORT', 8080, 0, 65535),
    host: text(env, 'HOST', '127.0.0.1'),
    databaseUrl: optionalUrl(env, 'DATABASE_URL'),
    databaseTimeouts: {
      connectMs: integer(env, 'DATABASE_CONNECT_TIMEOUT_MS', DEFAULT_DATABASE_TIMEOUTS.connectMs, 100, 600_000),
      statementMs: integer(env, 'DATABASE_STATEMENT_TIMEOUT_MS', DEFAULT_DATABASE_TIMEOUTS.statementMs, 100, 3_600_000),
    },
    dataDir,
    logLevel,
    logFormat: choice(env, 'LOG_FORMAT', LOG_FORMATS),
    retentionDays: integer(env, 'RETENTION_DAYS', 30, 1, 3650),
    ingestBodyLimit: integer(env, 'INGEST_BODY_LIMIT', 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    ingestMaxEvents: integer(env, 'INGEST_MAX_EVENTS', 20_000, 1, 1_000_000),
    ingestConcurrentCommits: integer(env, 'INGEST_CONCURRENT_COMMITS', 1, 1, 64),
    tokenCacheSeconds: integer(env, 'TOKEN_CACHE_SECONDS', 10, 0, 3600),
    maxPageSize: integer(env, 'MAX_PAGE_SIZE', 1000, 1, 100_000),
    archiveRole: text(env, 'ARCHIVE_ROLE', 'platform-archive-download'),
    storageBrokerUrl: optionalUrl(env, 'STORAGE_BROKER_URL'),
    storageBrokerTimeoutMs: integer(env, 'STORAGE_BROKER_TIMEOUT_MS', 5000, 1, 600_000),
    stuckAfterMs: duration(env, 'STUCK_AFTER', '30m'),
    terminalStatuses: terminalStatuses(env),
    bus: busConfig(env),
    metricsPort: env.METRICS_PORT ? integer(env, 'METRICS_PORT', 0, 1, 65535) : undefined,
    kibanaUrl: optionalUrl(env, 'KIBANA_URL') ?? 'http://localhost:5601',
    kibanaIndex: text(env, 'KIBANA_INDEX', 'logs-*'),
    kibanaServiceField: text(env, 'KIBANA_SERVICE_FIELD', 'app'),
    gatheringTtlMs: duration(env, 'GATHERING_TTL', '24h'),
    gatheringMaxRequestIds: integer(env, 'GATHERING_MAX_REQUEST_IDS', 100, 1, 10_000),
    reportsDir: path.resolve(text(env, 'REPORTS_DIR', path.join(dataDir, 'reports'))),
    reportMaxSpanDays: integer(env, 'REPORT_MAX_SPAN_DAYS', 31, 1, 3660),
    reportMaxUnfinished: integer(env, 'REPORT_MAX_UNFINISHED', 15, 1, 10_000),
    reportMaxAttempts: integer(env, 'REPORT_MAX_ATTEMPTS', 3, 1, 100),
    reportFileTtlDays: integer(env, 'REPORT_FILE_TTL_DAYS', 30, 1, 3650),
    reportHeartbeatSeconds: integer(env, 'REPORT_HEARTBEAT_SECONDS', 30, 10, 3600),
    smtpUrl: optionalUrl(env, 'SMTP_URL'),
    mailFrom: text(env, 'MAIL_FROM', 'Tracker <tracker@localhost>'),
    mailAttachmentMaxBytes: integer(env, 'MAIL_ATTACHMENT_MAX_BYTES', 10 * 1024 * 1024, 0, 1024 * 1024 * 1024),
    mailMaxAttempts: integer(env, 'MAIL_MAX_ATTEMPTS', 5, 1, 100),
    mailRetryDelaySeconds: integer(env, 'MAIL_RETRY_DELAY_SECONDS', 30, 1, 86_400),
    headersTimeoutMs: headersTimeoutSeconds * 1000,
    requestTimeoutMs: requestTimeoutSeconds * 1000,
    ...connectionLimits(env, (identityHeader ?? 'trust') === 'trust' || proxies !== false),
    readAccess: readAccess ?? 'open',
    identityHeader: identityHeader ?? 'trust',
    accessDefaulted: readAccess === undefined || identityHeader === undefined,
    trustProxy: proxies,
    publicUrl: (
      optionalUrl(env, 'PUBLIC_URL') ?? `http://${text(env, 'HOST', '127.0.0.1')}:${integer(env, 'PORT', 8080, 0, 65535)}`
    ).replace(/\/+$/, ''),
  });
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/i;

/**
 * Refuses to serve on an address others can reach with access left to its
 * defaults: open reads and a trusted identity header are the platform's
 * behaviour behind its gateway, and let anyone else read every org's data.
 */
export function checkExposure(config: Readonly<Config>): void {
  if (!config.accessDefaulted || LOOPBACK.test(config.host)) return;
  throw new ConfigError(
    `HOST ${config.host} can be reached from other machines, so set READ_ACCESS (open or authenticated) and ` +
      'IDENTITY_HEADER (trust or ignore) explicitly: the defaults, open and trust, let anyone who reaches the port ' +
      "read every org's payloads and claim any org through x-rh-identity, which is right only behind the platform's gateway",
  );
}
