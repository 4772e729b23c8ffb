import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from '../config.ts';
import { bearerCaller, type CallerLookup } from './caller-lookup.ts';
import { decodeIdentity, hasRole, identityOrg } from './identity.ts';

const Session = Type.Object({
  via: Type.Enum(['token', 'identity', 'none'], { description: 'What the request was signed in with' }),
  org_id: Type.Union([Type.String(), Type.Null()], { description: 'The org it acts for; null when none' }),
  user: Type.Union([Type.String(), Type.Null()]),
  all_orgs: Type.Boolean({ description: 'Whether it reads every org (an all-orgs token, an associate)' }),
  scopes: Type.Array(Type.String(), { description: "The token's scopes, or what a trusted identity may do" }),
  archive_links: Type.Boolean({ description: 'Whether it may ask for archive download links' }),
  read_access: Type.Enum(['open', 'authenticated'], { description: "READ_ACCESS: whether the payload tracker's reads need credentials" }),
});

/** Scopes a trusted x-rh-identity stands in for: the reads the platform's gateway lets a user make. */
const IDENTITY_SCOPES = ['payloads:read', 'gathering:read'];

/**
 * Who the caller is, as the other routes would see it: for the console to say
 * which org and scopes it acts with, and which pages it may use.
 */
export const whoamiRoutes: FastifyPluginAsyncTypebox<{ callers: CallerLookup; config: Readonly<Config> }> = async (
  app,
  { callers, config },
) => {
  app.get(
    '/whoami',
    {
      schema: {
        summary: 'Who the credentials sent name: their org, user and scopes',
        description: 'A bearer token that is unknown, expired or revoked is a 401. Without credentials, `via` is `none`.',
        security: [{ bearerAuth: [] }, { rhIdentity: [] }, {}],
        response: { 200: Session, 401: Type.Object({ title: Type.String(), message: Type.String(), status: Type.Integer() }) },
      },
    },
    async (request) => {
      const base = { read_access: config.readAccess, archive_links: false };
      if (request.headers.authorization) {
        const caller = await bearerCaller(callers, request.headers.authorization);
        return {
          ...base,
          via: 'token' as const,
          org_id: caller.orgId,
          user: caller.userName,
          all_orgs: caller.allOrgs,
          scopes: caller.scopes,
        };
      }
      const identity = config.identityHeader === 'trust' ? decodeIdentity(request.headers['x-rh-identity']) : undefined;
      if (!identity) return { ...base, via: 'none' as const, org_id: null, user: null, all_orgs: false, scopes: [] };
      const user = (identity.user as { username?: unknown } | undefined)?.username;
      return {
        ...base,
        via: 'identity' as const,
        org_id: identityOrg(identity) ?? null,
        user: typeof user === 'string' ? user : null,
        all_orgs: identity.type === 'Associate',
        scopes: IDENTITY_SCOPES,
        archive_links: hasRole(identity, config.archiveRole),
      };
    },
  );
};
