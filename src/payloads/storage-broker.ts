import { AppError } from '../errors.ts';
import { redactUrlsIn, withoutCredentials } from '../redact.ts';

/**
 * Asks the storage broker where a payload's archive is: `GET {url}?request_id=…`
 * answers `{"url": …}`. Its 404 is ours; anything else that goes wrong is an
 * upstream failure, including no answer within `timeoutMs`. User information
 * in `brokerUrl` (`https://user:password@broker/…`) is sent as Basic auth.
 */
export async function fetchArchiveUrl(brokerUrl: string | undefined, requestId: string, timeoutMs: number) {
  if (!brokerUrl) throw new AppError('unavailable', 'archive links are not configured (STORAGE_BROKER_URL is unset)');
  // fetch() refuses a URL holding credentials (and said so with the password in the 502): they go as Basic auth.
  const { url, authorization } = withoutCredentials(brokerUrl);
  url.searchParams.set('request_id', requestId);
  let response: Response;
  try {
    response = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json', ...(authorization ? { authorization } : {}) },
    });
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : redactUrlsIn((error as Error).message);
    throw new AppError('upstream_failed', `the storage broker could not be reached: ${reason}`);
  }
  if (response.status === 404) {
    throw new AppError('not_found', `the storage broker has no archive for the request ID ${requestId}`);
  }
  if (!response.ok) throw new AppError('upstream_failed', `the storage broker answered ${response.status}`);
  const body = (await response.json().catch(() => undefined)) as { url?: unknown } | undefined;
  if (typeof body?.url !== 'string') throw new AppError('upstream_failed', 'the storage broker answered without a url');
  return body.url;
}
