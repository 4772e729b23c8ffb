/**
 * The highest page number a list takes (int32's maximum): any offset it makes
 * stays an exact integer for JavaScript and PostgreSQL alike, where
 * `page=1e300` would overflow the offset.
 */
export const MAX_PAGE = 2_147_483_647;
