/**
 * Credentials in URLs (`postgres://user:password@host`, `smtp://…`,
 * `nats://…`, the storage broker's) are masked wherever Tracker shows a URL:
 * in error messages, answers and logs. The whole user information goes, not
 * only the password: a token may stand in the user name.
 */
const MASK = '***';

/**
 * `url` with its user information masked. A malformed one is shown in the
 * message that refuses it, so what lies between `://` and its last `@` is
 * masked: its password may itself hold `@`, `/` or spaces.
 */
export function redactUrl(url: string): string {
  // Without a host (`user:pass@db:5432` reads as the scheme "user:"), it is treated as malformed.
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed?.host) {
    const { protocol, username, password, host, pathname, search, hash } = parsed;
    return username === '' && password === '' ? url : `${protocol}//${MASK}@${host}${pathname}${search}${hash}`;
  }
  const at = url.lastIndexOf('@');
  if (at < 0) return url;
  const scheme = url.indexOf('://');
  const start = scheme >= 0 && scheme < at ? scheme + 3 : 0;
  return `${url.slice(0, start)}${MASK}${url.slice(at)}`;
}

/** `text` (an error message, say) with the user information of every URL in it masked. */
export function redactUrlsIn(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)\S*@/gi, `$1${MASK}@`);
}

/** A percent-encoded part of a URL decoded; as it is when it is not valid percent-encoding, which URL lets through. */
export function decodedUrlPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * A URL split into one without credentials, as fetch() requires (it refuses a
 * URL that holds them), and the Basic authorization they stand for, if any.
 */
export function withoutCredentials(url: string): { url: URL; authorization?: string } {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return { url: parsed };
  const credentials = `${decodedUrlPart(parsed.username)}:${decodedUrlPart(parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  return { url: parsed, authorization: `Basic ${Buffer.from(credentials).toString('base64')}` };
}
