import type { ServiceOutcomes } from './counts.ts';

/** `part` of `whole` in percent, to two decimals; 0 of nothing is 0. */
export const percent = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 100);

/** Per service, its success and error counts and their shares of the two, in percent to two decimals. */
export function successRates(outcomes: ServiceOutcomes[], since: Date) {
  const data: Record<string, { success: number; error: number; success_percent: number; error_percent: number }> = {};
  for (const { service, success, error } of outcomes) {
    data[service] = {
      success,
      error,
      success_percent: percent(success, success + error),
      error_percent: percent(error, success + error),
    };
  }
  return { message: `success rate of each service since ${since.toISOString()}`, data };
}
