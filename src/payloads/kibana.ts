/** Rison string quoting, as Kibana's URL state uses: `'` and `!` are escaped with `!`. */
function risonString(value: string): string {
  return `'${value.replace(/[!']/g, (char) => `!${char}`)}'`;
}

/** KQL string quoting: backslash and double quote are escaped. */
function kqlString(value: string): string {
  return `"${value.replace(/["\\]/g, (char) => `\\${char}`)}"`;
}

const WINDOW_MS = 60 * 60_000;

export interface KibanaLinkOptions {
  kibanaUrl: string;
  index: string;
  serviceField: string;
  requestId: string;
  service?: string;
  /** The payload's first and last status times. */
  first: string;
  last: string;
}

/** A Kibana Discover URL for the payload's logs, an hour either side of its first and last status. */
export function kibanaDiscoverUrl(options: KibanaLinkOptions): string {
  const from = new Date(Date.parse(options.first) - WINDOW_MS).toISOString();
  const to = new Date(Date.parse(options.last) + WINDOW_MS).toISOString();
  let query = `${kqlString(options.requestId)}`;
  if (options.service) query += ` and ${options.serviceField}:${kqlString(options.service)}`;
  const globalState = `(time:(from:${risonString(from)},to:${risonString(to)}))`;
  const appState = `(index:${risonString(options.index)},query:(language:kuery,query:${risonString(query)}))`;
  const base = options.kibanaUrl.replace(/\/+$/, '');
  return `${base}/app/discover#/?_g=${encodeURIComponent(globalState)}&_a=${encodeURIComponent(appState)}`;
}
