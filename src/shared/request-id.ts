/**
 * Request IDs. The platform sends 32 hex digits, some producers the same UUID
 * with dashes: both name one payload, stored in the platform's form (32
 * lower-case hex digits). Any other ID is 1–64 letters, digits, `-` and `_`,
 * kept as sent.
 */
const HEX32 = /^[0-9a-f]{32}$/i;
const DASHED_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OTHER_ID = /^[A-Za-z0-9_-]{1,64}$/;

export const REQUEST_ID_RULE = '32 hex digits, a UUID, or 1 to 64 letters, digits, "-" and "_"';

/** The canonical form of a request ID, or undefined when it is not one. */
export function canonicalRequestId(value: string): string | undefined {
  if (HEX32.test(value)) return value.toLowerCase();
  if (DASHED_UUID.test(value)) return value.replaceAll('-', '').toLowerCase();
  if (OTHER_ID.test(value)) return value;
  return undefined;
}

const UUID = /^(?:[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12})$/i;

/** A UUID in its dashed lower-case form (with or without dashes accepted), or undefined. */
export function canonicalUuid(value: string): string | undefined {
  if (!UUID.test(value)) return undefined;
  const hex = value.replaceAll('-', '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
