import fs from 'node:fs';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

const PACKAGE = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** The groups of /docs, one per API, and which paths each holds (the first that matches). */
const TAGS: { name: string; description: string; paths: RegExp }[] = [
  { name: 'operations', description: 'Health of the service, and who the caller is', paths: /^\/((v1\/)?health|whoami)$/ },
  {
    name: 'gathering',
    description: 'On-demand gathering: clusters poll their requests and fetch the rule report; the rules pipeline stores results',
    paths: /^\/(cluster\/|v1\/results$)/,
  },
  {
    name: 'dead letters',
    description: 'Bus messages the consumer could not store, kept with their body and reason; replayed after a fix',
    paths: /^\/v1\/dead-letters/,
  },
  {
    name: 'payload tracker',
    description: 'Payload Tracker API v1: status events in, payloads, statuses and success rates out',
    paths: /^\/v1\//,
  },
  { name: 'report jobs', description: 'Reports over a time span, rendered to csv, json or json_bulk files', paths: /^\/data\/reports\// },
  { name: 'schedules', description: 'Report schedules, run in their time zone and mailed to recipients', paths: /^\/api\/v1\/reports\// },
  { name: 'tasks', description: 'Each execution of a report, with its progress messages', paths: /^\/task\// },
];

/**
 * `/openapi.json` and its browser at `/docs`: one operation per route, grouped
 * by API. Routes served again under an alias prefix (for clients that call
 * them there) are listed once, the aliases named in the description.
 */
export async function registerOpenApi(app: FastifyInstance, aliases: { prefix: string; of: string }[]) {
  // An alias is a route under an alias prefix whose twin is served under the prefix it mirrors.
  const routes = new Set<string>();
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.add(`${method} ${route.url}`);
  });
  const isAlias = (method: string, url: string) =>
    aliases.some(({ prefix, of }) => url.startsWith(`${prefix}/`) && routes.has(`${method} ${of}${url.slice(prefix.length)}`));
  await app.register(swagger, {
    openapi: {
      // 3.1: its schemas are JSON Schema, so `type: [integer, string]` and `null` say what is taken.
      openapi: '3.1.0',
      info: {
        title: 'Tracker',
        version: PACKAGE.version,
        description:
          'Follows asynchronous work through a processing platform and reports on it.\n\n' +
          'Also served under other prefixes, for the clients that call them there:\n' +
          aliases.map(({ prefix, of }) => `- \`${prefix}/…\` serves \`${of}/…\``).join('\n'),
      },
      tags: TAGS.map(({ name, description }) => ({ name, description })),
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'A token from `tracker token create`' },
          rhIdentity: { type: 'apiKey', in: 'header', name: 'x-rh-identity', description: "The platform's identity" },
        },
      },
    },
    transform: ({ schema, url, route }) => {
      const tag = TAGS.find(({ paths }) => paths.test(url))?.name;
      const hide = Boolean(schema?.hide) || [route.method].flat().some((method) => isAlias(method, url));
      return { url, schema: { ...schema, hide, ...(tag ? { tags: [tag] } : {}) } };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
