import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { authenticate, type Caller, type Scope } from './tokens.ts';

/**
 * Bearer authentication as a route's `onRequest` hook, so that a caller without
 * the scope is turned away before its body is read or validated; the handler
 * then reads who called with `callerOf`.
 */
export function bearerAuth(db: Kysely<Schema>) {
  const callers = new WeakMap<FastifyRequest, Caller>();
  return {
    require: (scope: Scope) => async (request: FastifyRequest) => {
      callers.set(request, await authenticate(db, request.headers.authorization, scope));
    },
    callerOf(request: FastifyRequest): Caller {
      const caller = callers.get(request);
      if (!caller) throw new Error('callerOf() on a route without a bearerAuth hook');
      return caller;
    },
  };
}
