import { percent } from '../shared/measures.ts';
import type { ServiceOutcomes } from './counts.ts';

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
