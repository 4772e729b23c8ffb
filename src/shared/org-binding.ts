import type { Caller } from '../auth/tokens.ts';
import { AppError, type ErrorDetail } from '../errors.ts';

/**
 * Refuses the items of a batch that a producer token bound to one org may not
 * write: `foreignField` names, per item, the field that puts it in another org,
 * or undefined when the item is the caller's. All or nothing like validation:
 * 403 when every item is foreign, else 400 naming each foreign one.
 */
export function refuseForeignItems<T>(items: T[], caller: Caller, foreignField: (item: T, index: number) => string | undefined) {
  if (caller.allOrgs) return;
  const errors: ErrorDetail[] = [];
  items.forEach((item, index) => {
    const field = foreignField(item, index);
    if (field) errors.push({ index, field, reason: `belongs to another org than ${caller.orgId}, the only one this token writes` });
  });
  if (errors.length === 0) return;
  const every = errors.length === items.length;
  throw new AppError(
    every ? 'forbidden' : 'invalid',
    `${errors.length} of ${items.length} items belong to another org than ${caller.orgId}, the only one this token writes ` +
      '(a token made with --all-orgs writes every org); nothing was stored',
    errors.slice(0, 100),
  );
}
