import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { authenticate, type CallerLookup } from './caller-lookup.ts';
import { callerOrg } from './caller-org.ts';
import { decodeIdentity, hasRole } from './identity.ts';
import { readScope } from './read-access.ts';
import type { Caller, Scope } from './tokens.ts';

/**
 * Who may call a route, declared in its `config.access`. The one place that
 * checks it (before the body is read) and says it in /openapi.json.
 *
 * - `token`: a bearer token with the scope;
 * - `tokenOrIdentity`: that, or a trusted x-rh-identity naming an org;
 * - `payloadReader`: the payload tracker's reads, as READ_ACCESS says;
 * - `archiveRole`: a trusted x-rh-identity with the archive role (and, with
 *   `payloadReader` too, the reader's org for the payload).
 */
export type Access = { token: Scope } | { tokenOrIdentity: Scope } | { payloadReader: true; archiveRole?: true } | { archiveRole: true };

/** What the check found: the token's caller when one was required, and the org the caller sees (every org when absent). */
export interface Grant {
  caller?: Caller;
  orgId?: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
}

const grants = new WeakMap<FastifyRequest, Grant>();

/** The grant of a request to a route that declares `access`. */
export function grantOf(request: FastifyRequest): Grant {
  const grant = grants.get(request);
  if (!grant) throw new Error(`${request.routeOptions.url} declares no access, so it has no grant`);
  return grant;
}

/** The token's caller, on a route whose access is `token`. */
export function callerOf(request: FastifyRequest): Caller {
  const { caller } = grantOf(request);
  if (!caller) throw new Error(`${request.routeOptions.url} takes no token, so it has no caller`);
  return caller;
}

/** The org of a caller who must act for one (`token`, `tokenOrIdentity`). */
export function orgOf(request: FastifyRequest): string {
  const { orgId } = grantOf(request);
  if (orgId === undefined) throw new Error(`${request.routeOptions.url} grants every org, so it has no one org`);
  return orgId;
}

type SecurityRequirement = Record<string, string[]>;

/**
 * Makes every route registered after it on `app` check its `config.access`
 * in an `onRequest` hook, and document it as the route's OpenAPI `security`.
 */
export function guardRoutes(app: FastifyInstance, callers: CallerLookup, config: Readonly<Config>) {
  const trustIdentity = config.identityHeader === 'trust';

  async function check(access: Access, request: FastifyRequest): Promise<Grant> {
    if ('archiveRole' in access) {
      if (!trustIdentity) {
        throw new AppError(
          'unauthenticated',
          'archive links need the x-rh-identity header, which this server ignores (IDENTITY_HEADER=ignore)',
        );
      }
      const identity = decodeIdentity(request.headers['x-rh-identity']);
      if (!identity) throw new AppError('unauthenticated', 'a readable x-rh-identity header is required');
      if (!hasRole(identity, config.archiveRole))
        throw new AppError('forbidden', `downloading archives needs the role ${config.archiveRole}`);
      if (!('payloadReader' in access)) return {};
    }
    if ('token' in access) {
      const caller = await authenticate(callers, request.headers.authorization, access.token);
      return { caller, orgId: caller.orgId };
    }
    if ('tokenOrIdentity' in access) return { orgId: await callerOrg(callers, request.headers, access.tokenOrIdentity, trustIdentity) };
    return readScope(callers, request.headers, config);
  }

  function securityOf(access: Access): { security: SecurityRequirement[]; needs: string } {
    const identity = trustIdentity ? [{ rhIdentity: [] }] : [];
    if ('archiveRole' in access)
      return { security: [{ rhIdentity: [] }], needs: `the role ${config.archiveRole} in the x-rh-identity header` };
    if ('token' in access) return { security: [{ bearerAuth: [] }], needs: `a bearer token with the scope ${access.token}` };
    if ('tokenOrIdentity' in access) {
      return {
        security: [{ bearerAuth: [] }, ...identity],
        needs: `a bearer token with the scope ${access.tokenOrIdentity}, or the x-rh-identity header`,
      };
    }
    if (config.readAccess === 'open') return { security: [{}], needs: 'no credentials (READ_ACCESS=open)' };
    return {
      security: [{ bearerAuth: [] }, ...identity],
      needs: 'a bearer token with the scope payloads:read, or the x-rh-identity header naming an org',
    };
  }

  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (!access) return;
    const guard = async (request: FastifyRequest) => {
      grants.set(request, await check(access, request));
    };
    route.onRequest = [guard, ...[route.onRequest ?? []].flat()];
    if (route.schema) {
      const { security, needs } = securityOf(access);
      const description = route.schema.description ? `${route.schema.description}\n\n` : '';
      route.schema = { ...route.schema, security, description: `${description}Needs ${needs}.` };
    }
  });
}
