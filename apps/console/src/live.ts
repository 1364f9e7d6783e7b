/**
 * Live updates: GET /v1/accounts/{a}/events (text/event-stream) read with fetch and a stream reader,
 * since EventSource cannot send the Authorization header (and a token never goes into a URL).
 * Reconnects with a growing pause; `onEvent` gets each event's type and parsed data (never a secret).
 */
import { currentSession } from './auth';

export interface LiveEvent {
  type: string;
  id: string | null;
  data: Record<string, unknown>;
}

export function followAccount(apiBase: string, accountId: string, onEvent: (event: LiveEvent) => void): () => void {
  const abort = new AbortController();
  let pause = 1000;

  const run = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      const session = currentSession();
      if (!session) return;
      try {
        const url = new URL(`/v1/accounts/${encodeURIComponent(accountId)}/events`, apiBase || window.location.origin);
        const response = await fetch(url, {
          headers: { authorization: `Bearer ${session.accessToken}`, accept: 'text/event-stream' },
          signal: abort.signal,
          cache: 'no-store',
        });
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        pause = 1000;
        await read(response.body, onEvent);
      } catch {
        if (abort.signal.aborted) return;
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 30_000);
    }
  };
  void run();
  return () => abort.abort();
}

async function read(body: ReadableStream<Uint8Array>, onEvent: (event: LiveEvent) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = parse(block);
      if (event && event.type !== 'ready') onEvent(event);
    }
  }
}

function parse(block: string): LiveEvent | null {
  let type = 'message';
  let id: string | null = null;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue; // comments are keep-alives
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') type = value;
    else if (field === 'id') id = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return null;
  try {
    return { type, id, data: JSON.parse(data.join('\n')) as Record<string, unknown> };
  } catch {
    return null;
  }
}
