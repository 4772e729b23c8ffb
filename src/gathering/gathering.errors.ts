import { errorRenderer } from '../http-errors.ts';

/**
 * Renders any error in the gathering API's body, `{"status": "<message>"}`.
 * Missing or unusable credentials are a 403 there, as the platform answers them.
 */
export const sendGatheringError = errorRenderer(({ status, message }) => ({
  status: status === 401 ? 403 : status,
  body: { status: message },
}));
