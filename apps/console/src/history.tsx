/**
 * History of the account or of one key: who, when, what changed (the API never returns a secret), and
 * the question "Was this key valid from IP X at time T?" (the validity-at route), updated live.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, onAccount, onKey, unwrap, type HistoryEntry, type Validity } from './api';
import { formatTime, localToIso } from './format';
import { followAccount } from './live';
import type { Ctx } from './ctx';

const describeActor = (actor: HistoryEntry['actor']): string => (actor.type === 'user' ? actor.sub : `system: ${actor.name}`);

const LEAK_ACTION: Record<string, string> = {
  revoked: 'key revoked at once (the account’s leak policy)',
  alerted: 'only alerted (the account’s leak policy): the key still works',
  none: 'nothing done: that secret no longer worked, or the key is public',
};

/** A leak report (KeyLeakReported) as a sentence: who found it where, which secret, what was done. */
function describeLeak(data: Record<string, unknown>): string {
  const text = (field: string): string | null => {
    const value = data[field];
    return typeof value === 'string' && value !== '' ? value : null;
  };
  const found = [
    `Reported leaked by a secret scanning partner${text('tokenType') ? ` (${text('tokenType')})` : ''}`,
    text('url') ? `found at ${text('url')}${text('source') ? ` (${text('source')})` : ''}` : null,
  ].filter(Boolean);
  const parts = [found.join(', ')];
  if (typeof data.secretVersion === 'number') parts.push(`secret version ${data.secretVersion}`);
  if (text('reportId')) parts.push(`report ${text('reportId')}`);
  const action = text('action');
  if (action) parts.push(LEAK_ACTION[action] ?? `action: ${action}`);
  return parts.join('; ');
}

/** What changed, from the event's data: the fields people read, none of them secret. */
function describeData(entry: HistoryEntry): string {
  const data = entry.data;
  if (entry.type === 'KeyLeakReported') return describeLeak(data);
  const parts: string[] = [];
  for (const [field, value] of Object.entries(data)) {
    if (['accountId', 'keyId', 'kind'].includes(field)) continue;
    if (value === null || value === undefined || value === '') continue;
    if (field === 'cause' && value && typeof value === 'object' && (value as { type?: unknown }).type === 'leak-report') {
      parts.push(`cause: leak report ${String((value as { reportId?: unknown }).reportId)}`);
      continue;
    }
    if (field === 'secret' && value && typeof value === 'object') {
      const { start, version } = value as { start?: unknown; version?: unknown };
      parts.push(`key: ${JSON.stringify(start)} (version ${JSON.stringify(version)})`);
      continue;
    }
    const shown = Array.isArray(value)
      ? value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ') || '(none)'
      : typeof value === 'string'
        ? value
        : JSON.stringify(value);
    parts.push(`${field}: ${shown}`);
  }
  return parts.join('; ');
}

export function HistoryPage(props: { ctx: Ctx; keyId: string | null }) {
  const { ctx, keyId } = props;
  const [events, setEvents] = useState<HistoryEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const client = api(ctx.config.apiBase);
      const answer = keyId
        ? unwrap(await client.GET('/v1/accounts/{accountId}/keys/{keyId}/history', onKey(ctx.accountId, keyId)))
        : unwrap(
            await client.GET('/v1/accounts/{accountId}/history', {
              ...onAccount(ctx.accountId),
              params: { path: { accountId: ctx.accountId }, query: { limit: 500, format: 'json' } },
            }),
          );
      // format=json: the page, not an NDJSON or CSV export (the route's other answers).
      if (typeof answer === 'string') throw new Error('the history answered an export instead of a page');
      setEvents([...answer.events].reverse());
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, [ctx.accountId, keyId]);

  useEffect(() => {
    void load();
    return followAccount(ctx.config.apiBase, ctx.accountId, (event) => {
      if (!keyId || event.data.keyId === keyId) void load();
    });
  }, [load]);

  return (
    <>
      <h1>{keyId ? `History of key ${keyId}` : 'History of the account'}</h1>
      {keyId && (
        <p>
          <a
            href="/console/history"
            onClick={(event) => {
              event.preventDefault();
              ctx.navigate('/console/history');
            }}
          >
            History of the account
          </a>
        </p>
      )}
      {!ctx.canManage && <p>Your role (auditor) reads the history of keys; it does not show or change them.</p>}
      {error && <p role="alert">The history could not be loaded: {error}</p>}
      {events === null && !error ? (
        <p>Loading…</p>
      ) : (
        events && (
          <table>
            <caption>{keyId ? 'Events of this key, newest first' : 'Events of every key of the account, newest first'}</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Event</th>
                {!keyId && <th scope="col">Key</th>}
                <th scope="col">What changed</th>
              </tr>
            </thead>
            <tbody>
              {events.map((entry) => (
                <tr key={entry.id} class={entry.type === 'KeyLeakReported' ? 'leak' : undefined}>
                  <td>
                    <time dateTime={entry.time}>{formatTime(entry.time)}</time>
                  </td>
                  <td>{describeActor(entry.actor)}</td>
                  <td>{entry.type}</td>
                  {!keyId && (
                    <td>
                      {'keyId' in entry ? (
                        <a
                          href={`/console/keys/${encodeURIComponent(entry.keyId)}/history`}
                          onClick={(event) => {
                            event.preventDefault();
                            ctx.navigate(`/console/keys/${encodeURIComponent(entry.keyId)}/history`);
                          }}
                        >
                          {entry.keyId}
                        </a>
                      ) : null}
                    </td>
                  )}
                  <td>{describeData(entry)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      )}
      <ValidityQuestion ctx={ctx} keyId={keyId} />
    </>
  );
}

function ValidityQuestion(props: { ctx: Ctx; keyId: string | null }) {
  const [keyId, setKeyId] = useState(props.keyId ?? '');
  const [ip, setIp] = useState('');
  const [at, setAt] = useState('');
  const [answer, setAnswer] = useState<Validity | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <section aria-labelledby="validity-heading">
      <h2 id="validity-heading">Was this key valid from IP X at time T?</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const iso = localToIso(at);
          if (!iso) return void setError('Choose a date and time');
          setError(null);
          void api(props.ctx.config.apiBase)
            .GET('/v1/accounts/{accountId}/keys/{keyId}/validity', {
              params: {
                path: { accountId: props.ctx.accountId, keyId: keyId.trim() },
                query: { at: iso, ...(ip.trim() ? { ip: ip.trim() } : {}) },
              },
            })
            .then(unwrap)
            .then(setAnswer, (e: unknown) => {
              setAnswer(null);
              setError(e instanceof Error ? e.message : String(e));
            });
        }}
      >
        {!props.keyId && (
          <p>
            <label for="validity-key">Key id</label>
            <input id="validity-key" value={keyId} required onInput={(e) => setKeyId(e.currentTarget.value)} />
          </p>
        )}
        <p>
          <label for="validity-ip">IP address</label>
          <input id="validity-ip" value={ip} onInput={(e) => setIp(e.currentTarget.value)} />
        </p>
        <p>
          <label for="validity-at">Time</label>
          <input id="validity-at" type="datetime-local" step={1} value={at} required onInput={(e) => setAt(e.currentTarget.value)} />
        </p>
        <button type="submit">Check validity</button>
      </form>
      <div aria-live="polite">
        {error && <p role="alert">{error}</p>}
        {answer && (
          <div class="validity">
            <p>
              {answer.status === null
                ? 'The key did not exist yet at that time.'
                : answer.secrets.some((s) => s.valid)
                  ? `Valid: a request from ${answer.ip ?? 'any address'} at ${formatTime(answer.at)} would have been accepted.`
                  : `Not valid: a request from ${answer.ip ?? 'any address'} at ${formatTime(answer.at)} would have been refused.`}
            </p>
            {answer.secrets.length > 0 && (
              <ul>
                {answer.secrets.map((s) => (
                  <li key={s.version}>
                    Secret {s.version} ({s.start}…): {s.code}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </div>
    </section>
  );
}
