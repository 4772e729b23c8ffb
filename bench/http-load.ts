import http from 'node:http';

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
}

/**
 * Sends requests from `connections` keep-alive connections at once, each
 * sending its next as soon as its last is answered, until `stop` says so.
 * Any answer but `expectStatus` ends the run with an error.
 */
export async function runLoad(options: {
  url: string;
  connections: number;
  next: (i: number) => { path: string; method?: string; body?: string; headers?: Record<string, string> };
  stop: (sent: number, elapsedMs: number) => boolean;
  expectStatus?: number;
}): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const target = new URL(options.url);
  let sent = 0;
  let answered = 0;
  const started = performance.now();
  const send = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const { path, method = 'GET', body, headers = {} } = options.next(i);
      const request = http.request(
        {
          host: target.hostname,
          port: target.port,
          path,
          method,
          agent,
          headers: body ? { 'content-type': 'application/json', ...headers } : headers,
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            if (response.statusCode !== (options.expectStatus ?? 200))
              reject(new Error(`${method} ${path} answered ${response.statusCode}`));
            else resolve();
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  const connection = async () => {
    while (!options.stop(sent, performance.now() - started)) {
      await send(sent++);
      answered++;
    }
  };
  await Promise.all(Array.from({ length: options.connections }, connection));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { requests: answered, seconds, perSecond: answered / seconds };
}

/** One request at a time: each one's latency in milliseconds. */
export async function latencies(url: string, paths: string[]): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  for (const path of paths) {
    const started = performance.now();
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get(`${url}${path}`, { agent }, (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        })
        .on('error', reject);
    });
    times.push(performance.now() - started);
    if (status !== 200) throw new Error(`GET ${path} answered ${status}`);
  }
  agent.destroy();
  return times;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function median(values: number[]): number {
  return percentile(values, 50);
}
