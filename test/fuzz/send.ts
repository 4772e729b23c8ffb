import http from 'node:http';
import net from 'node:net';

export interface RawAnswer {
  status: number;
  contentType: string;
  body: string;
}

/**
 * Sends one request with node:http, exactly as given (fetch would normalize
 * the path and refuse some bodies); headers with an empty value are left out.
 * Rejects when no answer comes within `timeoutMs`: a hang.
 */
export function send(
  baseUrl: string,
  { method, path, headers, body }: { method: string; path: string; headers: Record<string, string>; body?: Buffer | string },
  timeoutMs = 10_000,
): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  const sent = Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== ''));
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: url.hostname, port: url.port, method, path, headers: sent, agent: false, timeout: timeoutMs },
      (response) => {
        const contentType = String(response.headers['content-type'] ?? '');
        // An event stream answers with its headers and runs on: that it opened is the answer.
        if (response.statusCode === 200 && contentType.startsWith('text/event-stream')) {
          request.destroy();
          resolve({ status: 200, contentType, body: '' });
          return;
        }
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}

/** Writes `bytes` on a new connection and reads until the server closes it or `timeoutMs` passes. */
export function sendRaw(baseUrl: string, bytes: Buffer | string, timeoutMs = 10_000): Promise<string> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`the connection stayed open past ${timeoutMs} ms`)));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
    socket.end(bytes);
  });
}

/** What is wrong with an answer to a malformed request, or undefined when it is a clean refusal or success. */
export function problemWith(answer: RawAnswer, binaryRoute: boolean): string | undefined {
  if (answer.status >= 500) return `answered ${answer.status}: ${answer.body.slice(0, 200)}`;
  if (binaryRoute && answer.status < 300) return undefined;
  if (answer.contentType.startsWith('text/event-stream')) return undefined;
  if (!answer.contentType.startsWith('application/json')) {
    return `answered ${answer.status} with content-type "${answer.contentType}": ${answer.body.slice(0, 200)}`;
  }
  try {
    JSON.parse(answer.body);
  } catch {
    return `answered ${answer.status} with a body that is not JSON: ${answer.body.slice(0, 200)}`;
  }
  return undefined;
}
