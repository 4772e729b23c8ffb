import http from 'node:http';
import type pino from 'pino';
import type { Metrics } from './metrics.ts';

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 60_000;

/**
 * /metrics of `metrics` on host:port, for a process without the API. A port
 * that is taken (or refused) costs the worker its metrics, not its work: it
 * says so once and tries again, backing off to a minute, so that the metrics
 * come back when the port is free.
 */
export function serveMetrics(metrics: Metrics, host: string, port: number, log: pino.Logger): { close(): void } {
  const server = http.createServer((request, response) => {
    if (request.url !== '/metrics') return void response.writeHead(404).end();
    void metrics.registry.metrics().then((text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text));
  });
  let retryMs = FIRST_RETRY_MS;
  let retry: NodeJS.Timeout | undefined;
  let failing = false;
  server.on('listening', () => {
    if (failing) log.info(`/metrics is served on ${host}:${port} (METRICS_PORT) now`);
    failing = false;
  });
  server.on('error', (error) => {
    if (server.listening) return void log.error({ err: error }, 'the metrics server failed');
    if (!failing) {
      log.error(
        `cannot serve /metrics on ${host}:${port} (METRICS_PORT): ${error.message}; ` +
          `the worker goes on without it and tries the port again, backing off to ${MAX_RETRY_MS / 1000} s`,
      );
    }
    failing = true;
    retry = setTimeout(() => server.listen(port, host), retryMs).unref();
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  });
  server.listen(port, host);
  return {
    close() {
      clearTimeout(retry);
      server.close();
    },
  };
}
