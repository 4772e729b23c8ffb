import { CompiledQuery } from 'kysely';

/** Statement text → its name, for the statements every request of a hot route runs. */
const NAMES = new Map<string, string>();

/**
 * A statement that each PostgreSQL connection prepares once, by `name`, and
 * then only binds and runs: PostgreSQL no longer parses it on every call,
 * and after five runs keeps a generic plan when that is estimated to cost no
 * more. Meant for a statement of fixed text, whose plan does not depend on
 * its values, that a polled route runs on every request (README, Storage).
 * On the embedded database it runs as any other statement.
 */
export function preparedStatement(name: string, text: string): (parameters: readonly unknown[]) => CompiledQuery {
  const known = [...NAMES].find(([, knownName]) => knownName === name);
  if (known && known[0] !== text) throw new Error(`the prepared statement name ${name} is taken by another statement`);
  NAMES.set(text, name);
  return (parameters) => CompiledQuery.raw(text, [...parameters]);
}

/** The name `text` is prepared under, or undefined for a statement planned on each call. */
export const preparedNameOf = (text: string): string | undefined => NAMES.get(text);
