/** The token the console signs in with, kept for this tab's session only (never in a URL or a log). */
const TOKEN_KEY = 'tracker.token';

export const tokenStore = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** An answer other than 2xx/300, with the message its API's envelope carries. */
export class ApiError extends Error {
  readonly status: number;
  /** The error body as sent, for the fields it names. */
  readonly body: unknown;
  constructor(status: number, message: string, body?: unknown) {
    super(message);
    this.status = status;
    this.body = body;
  }

  /** Per field, what is wrong with it: the report job API's `fields` and the payload tracker's `errors`. */
  fieldProblems(): Record<string, string> {
    const body = (this.body ?? {}) as { fields?: { name: string; description: string }[]; errors?: { field: string; reason: string }[] };
    return Object.fromEntries([
      ...(body.fields ?? []).map((field) => [field.name, field.description]),
      ...(body.errors ?? []).map((error) => [error.field, error.reason]),
    ]);
  }
}

/** The message of any of Tracker's error envelopes (payload tracker, gathering, tasks, schedules, report jobs). */
function messageOf(body: unknown, fallback: string): string {
  if (typeof body !== 'object' || body === null) return fallback;
  const record = body as { message?: unknown; status?: unknown; error?: { message?: unknown } };
  for (const candidate of [record.message, record.error?.message, record.status]) {
    if (typeof candidate === 'string' && candidate !== '') return candidate;
  }
  return fallback;
}

/** Calls Tracker's public API as the signed-in caller; resolves with the JSON answer. */
export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  const token = tokenStore.get();
  if (token) headers.set('authorization', `Bearer ${token}`);
  if (init.body) headers.set('content-type', 'application/json');
  const response = await fetch(path, { ...init, headers });
  const text = await response.text();
  const body: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok && response.status !== 300) throw new ApiError(response.status, messageOf(body, response.statusText), body);
  return body as T;
}

/** A query string of the parameters that have a value. */
export function queryString(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** Downloads a file the API serves to the signed-in caller (a plain link could not send the token). */
export async function downloadFile(path: string, fallbackName: string) {
  const headers = new Headers();
  const token = tokenStore.get();
  if (token) headers.set('authorization', `Bearer ${token}`);
  const response = await fetch(path, { headers });
  if (!response.ok) {
    const text = await response.text();
    throw new ApiError(response.status, messageOf(text ? JSON.parse(text) : undefined, response.statusText));
  }
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  saveBlob(await response.blob(), name);
}

/** Hands a file made in the page to the browser's downloads. */
export function saveBlob(blob: Blob, name: string) {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.click();
  URL.revokeObjectURL(link.href);
}
