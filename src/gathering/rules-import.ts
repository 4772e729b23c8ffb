import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { validateBatch, type Fail } from '../shared/batch.ts';
import { RULE_NAME_MAX } from './results.validate.ts';

interface RuleContent {
  rule_fqdn: string;
  error_key: string;
  description: string;
  total_risk: number;
}

const MAX_RULES = 1_000_000;

function validateRule(item: Record<string, unknown>, fail: Fail): RuleContent {
  for (const field of ['rule_fqdn', 'error_key', 'description'] as const) {
    if (typeof item[field] !== 'string' || item[field].trim() === '') fail(field, 'must be a non-empty string');
  }
  for (const field of ['rule_fqdn', 'error_key'] as const) {
    const value = item[field];
    if (typeof value === 'string' && value.length > RULE_NAME_MAX) fail(field, `must be at most ${RULE_NAME_MAX} characters long`);
  }
  if (!Number.isInteger(item.total_risk)) fail('total_risk', 'must be a whole number');
  return item as unknown as RuleContent;
}

/**
 * Replaces the whole rule catalogue with `items` in one transaction: readers
 * see the old catalogue or the new one, never a mix. Returns how many rules it holds.
 */
export async function importRuleContent(db: Kysely<Schema>, items: unknown): Promise<number> {
  if (!Array.isArray(items)) throw new AppError('invalid', 'the rule content must be a JSON array');
  const rules = validateBatch(items, { noun: 'rules', maxItems: MAX_RULES }, validateRule);
  const seen = new Map<string, number>();
  rules.forEach((rule, index) => {
    const key = `${rule.rule_fqdn}|${rule.error_key}`;
    const first = seen.get(key);
    if (first !== undefined) throw new AppError('invalid', `rules ${first} and ${index} are both ${key}`);
    seen.set(key, index);
  });
  await db.transaction().execute(async (trx) => {
    await sql`delete from rule_content`.execute(trx);
    await sql`
      insert into rule_content (rule_fqdn, error_key, description, total_risk)
      select * from unnest(
        ${rules.map((rule) => rule.rule_fqdn)}::text[], ${rules.map((rule) => rule.error_key)}::text[],
        ${rules.map((rule) => rule.description)}::text[], ${rules.map((rule) => rule.total_risk)}::integer[])`.execute(trx);
  });
  return rules.length;
}
