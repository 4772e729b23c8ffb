import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyServerOptions } from 'fastify';

/**
 * How every route's schema is enforced. All errors are reported (allErrors),
 * with the schema that failed (verbose), so they can be told in words.
 * Parameters, query strings and headers arrive as text and are coerced to the
 * schema's types; a JSON body is taken as sent: `[1, 2]` is not a list of
 * strings, and `"true"` is not a boolean.
 */
export function schemaValidators(): NonNullable<FastifyServerOptions['schemaController']> {
  // allowUnionTypes: `type: [integer, string]` says an ID may come either way.
  const common = { removeAdditional: false, allErrors: true, verbose: true, allowUnionTypes: true } as const;
  const coercing = AjvCompiler();
  const asSent = AjvCompiler();
  return {
    compilersFactory: {
      buildValidator(externalSchemas) {
        const forText = coercing(externalSchemas, { customOptions: { ...common, coerceTypes: true } });
        const forBody = asSent(externalSchemas, { customOptions: { ...common, coerceTypes: false } });
        return (route) => (route.httpPart === 'body' ? forBody(route) : forText(route));
      },
    },
  };
}
