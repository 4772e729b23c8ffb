import { STATUS_CODES } from 'node:http';
import { errorRenderer } from '../http-errors.ts';

/** The report job API's error body: `{code, message, description, fields: [{name, description}]}`. */
export const sendReportError = errorRenderer(({ status, message, details }) => ({
  body: {
    code: (STATUS_CODES[status] ?? 'Error').toUpperCase().replaceAll(' ', '_'),
    message,
    description: STATUS_CODES[status] ?? 'Error',
    fields: details.map((detail) => ({ name: detail.field, description: detail.reason })),
  },
}));
