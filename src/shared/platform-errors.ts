import { STATUS_CODES } from 'node:http';
import { Type } from 'typebox';
import { errorRenderer } from '../http-errors.ts';

/**
 * The payload tracker's error body, which the results ingest beside it and
 * unknown paths answer in too; `status` repeats the HTTP code, which its frontend reads.
 */
export const ErrorBody = Type.Object({
  title: Type.String(),
  message: Type.String(),
  status: Type.Integer(),
  errors: Type.Optional(
    Type.Array(Type.Object({ index: Type.Optional(Type.Integer()), field: Type.String(), reason: Type.String() }), {
      description: 'Each problem of the request: for a batch item, its index in the batch',
    }),
  ),
});

/** Renders any error in the payload tracker's body: `{title, message, status}`, plus `errors` when there are details. */
export const sendPayloadTrackerError = errorRenderer(({ status, message, details }) => ({
  body: {
    title: STATUS_CODES[status] ?? 'Error',
    message,
    status,
    ...(details.length > 0 ? { errors: details } : {}),
  },
}));
