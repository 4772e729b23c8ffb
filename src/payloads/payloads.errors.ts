import { STATUS_CODES } from 'node:http';
import { errorRenderer } from '../http-errors.ts';

/** Renders any error in the payload tracker's body: `{title, message, status}`, plus `errors` when there are details. */
export const sendPayloadTrackerError = errorRenderer(({ status, message, details }) => ({
  body: {
    title: STATUS_CODES[status] ?? 'Error',
    message,
    status,
    ...(details.length > 0 ? { errors: details } : {}),
  },
}));
