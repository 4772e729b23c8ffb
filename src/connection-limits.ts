import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { AppError } from './errors.ts';

export interface ConnectionLimits {
  /** Connections held at once; more are refused (MAX_CONNECTIONS). */
  total: number;
  /** Connections one client address may hold at once; 0 for no limit (MAX_CONNECTIONS_PER_CLIENT). */
  perClient: number;
}

/** Seconds a refused client is asked to wait (`Retry-After`). */
export const CONNECTIONS_RETRY_SECONDS = 1;

/**
 * A connection over a limit gets this long to send its request, so that what
 * it holds of the headroom is back in a moment when it sends nothing. A
 * liveness probe sends at once; with 1 s (and 250 ms), 2,000 idle
 * connections a second kept the headroom full and the probes were reset.
 */
export const OVER_LIMIT_GRACE_MS = 100;

/**
 * Connections the kernel may queue before Tracker accepts them (the listen
 * backlog; Linux caps it at net.core.somaxconn). Node's 511 filled in a burst
 * of connections, and a probe's SYN dropped then waited a second to be sent again.
 */
export const LISTEN_BACKLOG = 4096;

/**
 * Connections taken over the limit, so that a liveness probe gets an answer and
 * others a 503 rather than a connection refused. Beyond it they are dropped unanswered.
 */
export function headroom(total: number): number {
  return Math.max(10, Math.ceil(total / 10));
}

/**
 * Caps the connections `app` holds, in total and per client address, so that
 * idle or slow clients cannot use up the process's file descriptors (20,400
 * held connections did, and then every request failed). A connection over a
 * limit is still read: a request to one of `probePaths` is answered (health
 * stays observable at the cap), any other is a 503 with `Retry-After` in its
 * API's envelope; either way the connection is closed after the answer.
 * Past the headroom, Node drops new connections unread.
 */
export function limitConnections(app: FastifyInstance, limits: ConnectionLimits, probePaths: ReadonlySet<string>): void {
  const server: Server = app.server;
  // Each connection over a limit, with the timer that ends it unless a request arrives in time.
  const overLimit = new WeakMap<Socket, NodeJS.Timeout>();
  const perAddress = new Map<string, number>();
  let open = 0;
  server.maxConnections = limits.total + headroom(limits.total);

  server.on('connection', (socket: Socket) => {
    // The peer's address: behind a proxy every connection is the proxy's, which is why perClient may be 0 there.
    const address = socket.remoteAddress ?? '';
    const fromAddress = (perAddress.get(address) ?? 0) + 1;
    perAddress.set(address, fromAddress);
    open++;
    if (open > limits.total || (limits.perClient > 0 && fromAddress > limits.perClient)) {
      const grace = setTimeout(() => socket.destroy(), OVER_LIMIT_GRACE_MS);
      grace.unref();
      overLimit.set(socket, grace);
    }
    socket.once('close', () => {
      clearTimeout(overLimit.get(socket));
      open--;
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left === 0) perAddress.delete(address);
      else perAddress.set(address, left);
    });
  });

  app.addHook('onRequest', async (request, reply) => {
    const grace = overLimit.get(request.raw.socket);
    if (grace === undefined) return;
    clearTimeout(grace);
    // Node closes the connection once this answer is sent.
    reply.header('connection', 'close');
    if (probePaths.has(request.routeOptions.url ?? '')) return;
    throw new AppError('unavailable', `Tracker holds as many connections as it may; try again in ${CONNECTIONS_RETRY_SECONDS} s`, [], {
      retryAfterSeconds: CONNECTIONS_RETRY_SECONDS,
    });
  });
}
