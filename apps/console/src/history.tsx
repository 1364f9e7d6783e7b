/**
 * History of the account or of one key: who, when, what changed (the API never returns a secret), and
 * the question "Was this key valid from IP X at time T?" (the validity-at route), updated live. The
 * account's history is filtered, paged and exported (NDJSON, CSV) as the API serves it, and shows the
 * account's keys as they were at an instant.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
// The domain's list of key events alone (a module with no imports): the filter offers what the API takes.
import { KEY_EVENT_TYPES } from '../../../libs/domain/src/events';
import { api, listAllKeys, onKey, unwrap, type HistoryEntry, type KeyView, type Validity } from './api';
import { formatTime, localToIso, statusLabel } from './format';
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

/** Events per page of the account's history (the API pages with nextCursor). */
const PAGE_SIZE = 100;

/** What the account history is filtered by, as the form holds it (times in the user's zone). */
interface Filters {
  type: string;
  keyId: string;
  actor: string;
  from: string;
  to: string;
  order: 'newest' | 'oldest';
}

const NO_FILTERS: Filters = { type: '', keyId: '', actor: '', from: '', to: '', order: 'newest' };

/** The API's query for `filters`; an error message for a time that is not one. */
function historyQuery(filters: Filters): { query: Record<string, string> } | { error: string } {
  const query: Record<string, string> = { order: filters.order };
  if (filters.type) query.type = filters.type;
  if (filters.keyId.trim()) query.keyId = filters.keyId.trim();
  if (filters.actor.trim()) query.actor = filters.actor.trim();
  for (const field of ['from', 'to'] as const) {
    if (!filters[field]) continue;
    const iso = localToIso(filters[field]);
    if (!iso) return { error: `“${field === 'from' ? 'From' : 'To'}” is not a date and time` };
    query[field] = iso;
  }
  return { query };
}

const problemText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Lines in an export (each ends with LF; CSV's CRLF too), read as a stream of bytes: an export can be
 * hundreds of megabytes, and making it a string would need that much again.
 */
async function countLines(blob: Blob): Promise<number> {
  const reader = blob.stream().getReader();
  let lines = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return lines;
    for (let i = value.indexOf(10); i !== -1; i = value.indexOf(10, i + 1)) lines++;
  }
}

/** Hands `blob` to the browser as a file download (a same-page object URL, released at once). */
function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function HistoryPage(props: { ctx: Ctx; keyId: string | null }) {
  return props.keyId ? <KeyHistory ctx={props.ctx} keyId={props.keyId} /> : <AccountHistory ctx={props.ctx} />;
}

function HistoryTable(props: { ctx: Ctx; events: HistoryEntry[]; caption: string; showKey: boolean }) {
  const { ctx, events, caption, showKey } = props;
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Actor</th>
          <th scope="col">Event</th>
          {showKey && <th scope="col">Key</th>}
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
            {showKey && (
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
  );
}

function KeyHistory(props: { ctx: Ctx; keyId: string }) {
  const { ctx, keyId } = props;
  const [events, setEvents] = useState<HistoryEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const answer = unwrap(
        await api(ctx.config.apiBase).GET('/v1/accounts/{accountId}/keys/{keyId}/history', onKey(ctx.accountId, keyId)),
      );
      setEvents([...answer.events].reverse());
      setError(null);
    } catch (e) {
      setError(problemText(e));
    }
  }, [ctx.accountId, keyId]);

  useEffect(() => {
    void load();
    return followAccount(ctx.config.apiBase, ctx.accountId, (event) => {
      if (event.data.keyId === keyId) void load();
    });
  }, [load]);

  return (
    <>
      <h1>History of key {keyId}</h1>
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
      {!ctx.canManage && <p>Your role (auditor) reads the history of keys; it does not show or change them.</p>}
      {error && <p role="alert">The history could not be loaded: {error}</p>}
      {events === null && !error ? (
        <p>Loading…</p>
      ) : (
        events && <HistoryTable ctx={ctx} events={events} caption="Events of this key, newest first" showKey={false} />
      )}
      <ValidityQuestion ctx={ctx} keyId={keyId} />
    </>
  );
}

/**
 * The account's history from its read model: filters (type, key, actor, time range, order), pages of
 * PAGE_SIZE followed by nextCursor, the same query downloaded as NDJSON or CSV (with the hash chain, to
 * check offline), and the account's keys as they were at an instant.
 */
function AccountHistory(props: { ctx: Ctx }) {
  const { ctx } = props;
  const [form, setForm] = useState<Filters>(NO_FILTERS);
  const [applied, setApplied] = useState<Filters>(NO_FILTERS);
  const [events, setEvents] = useState<HistoryEntry[] | null>(null);
  /** The filters of the events shown (the table's caption): `applied` changes before its page arrives. */
  const [shownFor, setShownFor] = useState<Filters>(NO_FILTERS);
  const [cursor, setCursor] = useState<string | null>(null);
  const [pages, setPages] = useState(1);
  const [newer, setNewer] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [exporting, setExporting] = useState<string | null>(null);
  const [exported, setExported] = useState<string | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);

  const fetchPage = useCallback(
    async (filters: Filters, after: string | null) => {
      const built = historyQuery(filters);
      if ('error' in built) throw new Error(built.error);
      const answer = unwrap(
        await api(ctx.config.apiBase).GET('/v1/accounts/{accountId}/history', {
          params: {
            path: { accountId: ctx.accountId },
            query: { ...built.query, limit: PAGE_SIZE, format: 'json', ...(after ? { cursor: after } : {}) },
          },
        }),
      );
      // format=json: a page, not an NDJSON or CSV export (the route's other answers).
      if (typeof answer === 'string') throw new Error('the history answered an export instead of a page');
      return answer;
    },
    [ctx.accountId],
  );

  const loadFirst = useCallback(
    async (filters: Filters) => {
      try {
        const answer = await fetchPage(filters, null);
        setEvents(answer.events);
        setShownFor(filters);
        setCursor(answer.nextCursor);
        setPages(1);
        setNewer(false);
        setError(null);
      } catch (e) {
        setEvents([]);
        setCursor(null);
        setError(problemText(e));
      }
    },
    [fetchPage],
  );

  useEffect(() => {
    void loadFirst(applied);
  }, [loadFirst, applied]);

  // Live (one stream for the page's life): the first page again when that is all that is shown; past
  // it, an offer to start over, so the pages being read do not move.
  const live = useRef({ pages, applied, loadFirst });
  live.current = { pages, applied, loadFirst };
  useEffect(
    () =>
      followAccount(ctx.config.apiBase, ctx.accountId, () => {
        const { pages: shown, applied: filters, loadFirst: reload } = live.current;
        if (shown === 1) void reload(filters);
        else setNewer(true);
      }),
    [ctx.accountId],
  );

  const more = async () => {
    if (!cursor) return;
    try {
      const answer = await fetchPage(shownFor, cursor);
      setEvents((shown) => [...(shown ?? []), ...answer.events]);
      setCursor(answer.nextCursor);
      setPages((n) => n + 1);
      setError(null);
    } catch (e) {
      setError(problemText(e));
    }
  };

  // What is shown is what is exported: the filters of the table, not the form's until applied.
  const exportAs = async (format: 'ndjson' | 'csv') => {
    const built = historyQuery(shownFor);
    if ('error' in built) return void setExportError(built.error);
    setExporting(format);
    setExported(null);
    setExportError(null);
    try {
      const result = await api(ctx.config.apiBase).GET('/v1/accounts/{accountId}/history', {
        params: { path: { accountId: ctx.accountId }, query: { ...built.query, format } },
        parseAs: 'blob',
      });
      const blob = unwrap(result);
      const lines = await countLines(blob);
      const count = format === 'csv' ? Math.max(0, lines - 1) : lines;
      const filename = `history-${ctx.accountId}.${format}`;
      download(blob, filename);
      setExported(`Downloaded ${filename}: ${count} event${count === 1 ? '' : 's'}`);
    } catch (e) {
      setExportError(`The export failed: ${problemText(e)}`);
    } finally {
      setExporting(null);
    }
  };

  const field = (name: keyof Filters) => ({
    value: form[name],
    onInput: (e: { currentTarget: { value: string } }) => setForm({ ...form, [name]: e.currentTarget.value }),
  });
  const filtered = shownFor.type || shownFor.keyId.trim() || shownFor.actor.trim() || shownFor.from || shownFor.to;
  const shown = filtered ? 'Matching events' : 'Events of every key of the account';
  const caption = `${shown}, ${shownFor.order === 'newest' ? 'newest' : 'oldest'} first`;

  return (
    <>
      <h1>History of the account</h1>
      {!ctx.canManage && <p>Your role (auditor) reads the history of keys; it does not show or change them.</p>}
      <form
        class="history-filters"
        aria-label="Filter the history"
        onSubmit={(event) => {
          event.preventDefault();
          setApplied({ ...form });
        }}
      >
        <p>
          <label for="history-type">Event type</label>
          <select id="history-type" {...field('type')}>
            <option value="">Any</option>
            {KEY_EVENT_TYPES.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </p>
        <p>
          <label for="history-key">Key</label>
          <input id="history-key" placeholder="key_…" {...field('keyId')} />
        </p>
        <p>
          <label for="history-actor">Actor</label>
          <input id="history-actor" placeholder="user id, or system:name" {...field('actor')} />
        </p>
        <p>
          <label for="history-from">From</label>
          <input id="history-from" type="datetime-local" step={1} {...field('from')} />
        </p>
        <p>
          <label for="history-to">To</label>
          <input id="history-to" type="datetime-local" step={1} {...field('to')} />
        </p>
        <p>
          <label for="history-order">Order</label>
          <select id="history-order" {...field('order')}>
            <option value="newest">Newest first</option>
            <option value="oldest">Oldest first</option>
          </select>
        </p>
        <p class="actions">
          <button type="submit">Show events</button>
          <button
            type="button"
            onClick={() => {
              setForm(NO_FILTERS);
              setApplied(NO_FILTERS);
            }}
          >
            Clear filters
          </button>
        </p>
      </form>
      <p class="actions">
        <button type="button" disabled={exporting !== null} onClick={() => void exportAs('csv')}>
          {exporting === 'csv' ? 'Exporting…' : 'Export CSV'}
        </button>
        <button type="button" disabled={exporting !== null} onClick={() => void exportAs('ndjson')}>
          {exporting === 'ndjson' ? 'Exporting…' : 'Export NDJSON'}
        </button>{' '}
        <small>Every matching event, with each event’s hash chain: scripts/audit-check-export.js checks a file offline.</small>
      </p>
      <div aria-live="polite">
        {exported && <p>{exported}</p>}
        {exportError && <p role="alert">{exportError}</p>}
      </div>
      {error && <p role="alert">The history could not be loaded: {error}</p>}
      {newer && (
        <p role="status">
          New events were recorded.{' '}
          <button type="button" onClick={() => void loadFirst(applied)}>
            Show the newest again
          </button>
        </p>
      )}
      {events === null && !error ? (
        <p>Loading…</p>
      ) : (
        events && (
          <>
            {events.length === 0 && !error && <p>No events match.</p>}
            {events.length > 0 && <HistoryTable ctx={ctx} events={events} caption={caption} showKey={true} />}
            {cursor && (
              <p>
                <button type="button" onClick={() => void more()}>
                  {shownFor.order === 'newest' ? 'Show older events' : 'Show later events'}
                </button>
              </p>
            )}
          </>
        )
      )}
      <KeysAtInstant ctx={ctx} />
      <ValidityQuestion ctx={ctx} keyId={null} />
    </>
  );
}

/** The account's keys as they were at an instant (GET …/keys?at=, replayed from their events). */
function KeysAtInstant(props: { ctx: Ctx }) {
  const { ctx } = props;
  const [at, setAt] = useState('');
  const [keys, setKeys] = useState<{ at: string; keys: KeyView[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const show = async (iso: string) => {
    setLoading(true);
    try {
      const all = await listAllKeys(ctx.config.apiBase, ctx.accountId, iso);
      setKeys({ at: iso, keys: all });
      setError(null);
    } catch (e) {
      setKeys(null);
      setError(problemText(e));
    } finally {
      setLoading(false);
    }
  };
  return (
    <section aria-labelledby="at-heading">
      <h2 id="at-heading">The account’s keys at an instant</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const iso = localToIso(at);
          if (!iso) return void setError('Choose a date and time');
          void show(iso);
        }}
      >
        <p>
          <label for="at-instant">Instant</label>
          <input id="at-instant" type="datetime-local" step={1} value={at} required onInput={(e) => setAt(e.currentTarget.value)} />
        </p>
        <button type="submit" disabled={loading}>
          Show the keys as they were
        </button>
      </form>
      <div aria-live="polite">
        {error && <p role="alert">{error}</p>}
        {keys &&
          (keys.keys.length === 0 ? (
            <p>The account had no keys at {formatTime(keys.at)}.</p>
          ) : (
            <table>
              <caption>Keys of the account at {formatTime(keys.at)}</caption>
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col">Name</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Status</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Allowed IPs</th>
                </tr>
              </thead>
              <tbody>
                {keys.keys.map((key) => (
                  <tr key={key.id}>
                    <td>{key.id}</td>
                    <td>{key.name || '—'}</td>
                    <td>{key.kind}</td>
                    <td>{statusLabel(key.status)}</td>
                    <td>{key.expiresAt ? <time dateTime={key.expiresAt}>{formatTime(key.expiresAt)}</time> : 'never'}</td>
                    <td>{key.allowedIps.length ? key.allowedIps.join(', ') : 'any'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
      </div>
    </section>
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
