import { tokenStore } from '../api.ts';

/**
 * Reads a text/event-stream with fetch, which (unlike EventSource) can send the
 * signed-in token. Calls `onEvent` per event; resolves when the server ends the
 * stream, rejects when it cannot be opened or breaks.
 */
export async function readEventStream(path: string, onEvent: (event: string, data: unknown) => void, signal: AbortSignal): Promise<void> {
  const headers = new Headers({ accept: 'text/event-stream' });
  const token = tokenStore.get();
  if (token) headers.set('authorization', `Bearer ${token}`);
  const response = await fetch(path, { headers, signal });
  if (!response.ok || !response.body) throw new Error(`the stream answered ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += value;
    let boundary;
    while ((boundary = buffered.indexOf('\n\n')) >= 0) {
      const block = buffered.slice(0, boundary);
      buffered = buffered.slice(boundary + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length > 0) onEvent(event, JSON.parse(data.join('\n')));
    }
  }
}
