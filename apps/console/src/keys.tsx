/**
 * Authentication Keys: the API keys and the signing keys, each a table, with Generate, Show key (eye),
 * Regenerate Key, Set expiry, Edit and Delete, updated live when someone else changes a key.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Action, Outcome } from './actions';
import { api, ApiProblem, unwrap, type KeyView } from './api';
import { CopyButton, Dialog, FormButtons } from './dialog';
import { expiresIn, formatTime, localToIso, masked, parseIps } from './format';
import { followAccount } from './live';
import type { Ctx } from './ctx';

type Kind = 'api' | 'signing' | 'publishable';
type Open =
  | { dialog: 'generate'; kind: Kind }
  | { dialog: 'secret'; key: KeyView; secret: string; regenerated: boolean }
  | { dialog: 'regenerate' | 'expiry' | 'edit' | 'delete'; key: KeyView }
  | null;

const KIND_LABEL: Record<Kind, string> = { api: 'API Key', signing: 'Signing Key', publishable: 'Publishable Key' };

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function KeysPage(props: { ctx: Ctx; resumed: Outcome | null }) {
  const { ctx } = props;
  const [keys, setKeys] = useState<KeyView[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [open, setOpen] = useState<Open>(null);
  /** Revealed secrets by `${keyId}:${version}`: in memory while shown, dropped on Hide key. */
  const [revealed, setRevealed] = useState<Record<string, string>>({});
  const [, tick] = useState(0);

  const reload = useCallback(async () => {
    try {
      // Every page (the list answers 200 at most at a time), followed by nextCursor.
      const all: KeyView[] = [];
      let cursor: string | undefined;
      do {
        const answer = unwrap(
          await api(ctx.config.apiBase).GET('/v1/accounts/{accountId}/keys', {
            params: { path: { accountId: ctx.accountId }, query: { limit: 200, ...(cursor ? { cursor } : {}) } },
          }),
        );
        all.push(...answer.keys);
        cursor = answer.nextCursor ?? undefined;
      } while (cursor);
      setKeys(all);
      setLoadError(null);
    } catch (error) {
      setLoadError(message(error));
    }
  }, [ctx.config.apiBase, ctx.accountId]);

  useEffect(() => {
    void reload();
    const stop = followAccount(ctx.config.apiBase, ctx.accountId, (event) => {
      void reload();
      const who = event.data.actor as { sub?: string; name?: string } | undefined;
      const by = who?.sub ?? who?.name;
      if (by !== ctx.session.sub) ctx.announce(`Keys updated: ${event.type.replace('credentials.key.', 'key ')} by ${by ?? 'someone'}`);
    });
    const timer = window.setInterval(() => tick((n) => n + 1), 30_000); // "expires in …" stays true
    return () => {
      stop();
      window.clearInterval(timer);
    };
  }, [reload]);

  const apply = useCallback(
    (outcome: Outcome | null) => {
      if (!outcome) return;
      if (outcome.kind === 'secret') {
        setOpen({ dialog: 'secret', key: outcome.key, secret: outcome.secret, regenerated: outcome.regenerated });
        ctx.announce(outcome.regenerated ? 'Key regenerated' : `${KIND_LABEL[outcome.key.kind]} generated`);
      } else if (outcome.kind === 'revealed') {
        setRevealed((r) => ({ ...r, [`${outcome.keyId}:${outcome.version}`]: outcome.secret }));
        ctx.announce('Key shown');
      } else {
        setOpen(null);
        ctx.announce(outcome.message);
      }
      void reload();
    },
    [reload],
  );

  useEffect(() => apply(props.resumed), []);

  const perform = async (action: Action): Promise<void> => apply(await ctx.perform(action));

  const hide = (slot: string) =>
    setRevealed((r) => {
      const next = { ...r };
      delete next[slot];
      return next;
    });

  const table = (kind: Kind, caption: string) => {
    const rows = (keys ?? []).filter((k) => k.kind === kind);
    return (
      <section aria-labelledby={`${kind}-heading`}>
        <div class="section-head">
          <h2 id={`${kind}-heading`}>{caption}</h2>
          <button type="button" class="primary" id={`generate-${kind}`} onClick={() => setOpen({ dialog: 'generate', kind })}>
            Generate {KIND_LABEL[kind]}
          </button>
        </div>
        {rows.length === 0 ? (
          <p>No {kind === 'api' ? 'API keys' : 'signing keys'} yet.</p>
        ) : (
          <table>
            <caption class="visually-hidden">{caption}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">IP restriction</th>
                <th scope="col">Webhook setting</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Expiry</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((key) => (
                <KeyRow
                  key={key.id}
                  keyView={key}
                  ctx={ctx}
                  revealed={revealed}
                  onReveal={(version) => void perform({ kind: 'reveal', keyId: key.id, version }).catch((e) => ctx.announce(message(e)))}
                  onHide={hide}
                  onOpen={(dialog) => setOpen({ dialog, key })}
                />
              ))}
            </tbody>
          </table>
        )}
      </section>
    );
  };

  return (
    <>
      <h1>Authentication Keys</h1>
      {loadError && <p role="alert">The keys could not be loaded: {loadError}</p>}
      {keys === null && !loadError ? (
        <p>Loading…</p>
      ) : (
        <>
          {table('api', 'API keys')}
          {table('signing', 'Signing keys')}
        </>
      )}
      {open?.dialog === 'generate' && <GenerateDialog kind={open.kind} onClose={() => setOpen(null)} perform={perform} />}
      {open?.dialog === 'secret' && (
        <Dialog
          title={open.regenerated ? 'Key regenerated' : `${KIND_LABEL[open.key.kind]} generated`}
          onClose={() => setOpen(null)}
          returnFocusTo={open.regenerated ? undefined : `generate-${open.key.kind}`}
        >
          <SecretOnce secret={open.secret} announce={ctx.announce} />
          <div class="buttons">
            <button type="button" onClick={() => setOpen(null)}>
              Done
            </button>
          </div>
        </Dialog>
      )}
      {open?.dialog === 'regenerate' && <RegenerateDialog keyView={open.key} onClose={() => setOpen(null)} perform={perform} />}
      {open?.dialog === 'expiry' && <ExpiryDialog keyView={open.key} onClose={() => setOpen(null)} perform={perform} />}
      {open?.dialog === 'edit' && <EditDialog keyView={open.key} onClose={() => setOpen(null)} perform={perform} />}
      {open?.dialog === 'delete' && <DeleteDialog keyView={open.key} onClose={() => setOpen(null)} perform={perform} />}
    </>
  );
}

function SecretOnce(props: { secret: string; announce: (m: string) => void }) {
  return (
    <>
      <p id="secret-notice" class="notice">
        You will not see this key again unless you reveal it.
      </p>
      <p>
        <label for="new-secret">New key</label>
        <input id="new-secret" class="secret" readOnly value={props.secret} aria-describedby="secret-notice" />
      </p>
      <CopyButton text={props.secret} announce={props.announce} />
    </>
  );
}

/** The eye (crossed out: hide), drawn in SVG: no icon font, nothing inline for the CSP to refuse. */
function EyeIcon(props: { crossed?: boolean }) {
  return (
    <svg class="icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
      <path d="M1 12s4-7 11-7 11 7 11 7-4 7-11 7S1 12 1 12z" fill="none" stroke="currentColor" stroke-width="2" />
      <circle cx="12" cy="12" r="3" fill="none" stroke="currentColor" stroke-width="2" />
      {props.crossed && <path d="M3 3l18 18" stroke="currentColor" stroke-width="2" />}
    </svg>
  );
}

function KeyRow(props: {
  keyView: KeyView;
  ctx: Ctx;
  revealed: Record<string, string>;
  onReveal: (version: 'current' | 'previous') => void;
  onHide: (slot: string) => void;
  onOpen: (dialog: 'regenerate' | 'expiry' | 'edit' | 'delete') => void;
}) {
  const key = props.keyView;
  const label = key.name || key.start;
  const active = key.status === 'active';
  const secretCell = (version: 'current' | 'previous', start: string) => {
    const slot = `${key.id}:${version}`;
    const secret = props.revealed[slot];
    const which = version === 'previous' ? ' (previous)' : '';
    return (
      <div class="secret-cell">
        {secret ? <code class="secret">{secret}</code> : <code aria-label={`key starting ${start}`}>{masked(start)}</code>}
        {secret ? (
          <>
            <CopyButton text={secret} announce={props.ctx.announce} />
            <button type="button" aria-label={`Hide key${which}`} onClick={() => props.onHide(slot)}>
              <EyeIcon crossed />
            </button>
          </>
        ) : (
          active && (
            <button type="button" aria-label={`Show key${which}`} title="Show key" onClick={() => props.onReveal(version)}>
              <EyeIcon />
            </button>
          )
        )}
      </div>
    );
  };
  return (
    <tr>
      <th scope="row">{key.name || <span class="muted">(unnamed)</span>}</th>
      <td>
        {secretCell('current', key.start)}
        {key.previous && (
          <div class="previous">
            <span class="label">Previous key</span>
            {secretCell('previous', key.previous.start)}
            <span>
              {expiresIn(key.previous.expiresAt)} (<time dateTime={key.previous.expiresAt}>{formatTime(key.previous.expiresAt)}</time>)
            </span>
          </div>
        )}
      </td>
      <td>{key.allowedIps.length ? key.allowedIps.join(', ') : 'Any IP address'}</td>
      <td>{key.webhookFormat === 'multiple' ? 'Multiple JSON' : 'Single JSON'}</td>
      <td>{key.status}</td>
      <td>
        {key.createdBy}
        <br />
        <time dateTime={key.createdAt}>{formatTime(key.createdAt)}</time>
      </td>
      <td>{key.expiresAt ? <time dateTime={key.expiresAt}>{formatTime(key.expiresAt)}</time> : 'Never'}</td>
      <td>
        <div class="actions">
          {active && (
            <>
              <button type="button" aria-label={`Regenerate Key ${label}`} onClick={() => props.onOpen('regenerate')}>
                Regenerate Key
              </button>
              <button type="button" aria-label={`Set expiry ${label}`} onClick={() => props.onOpen('expiry')}>
                Set expiry
              </button>
              <button type="button" aria-label={`Edit ${label}`} onClick={() => props.onOpen('edit')}>
                Edit
              </button>
              <button type="button" aria-label={`Delete ${label}`} onClick={() => props.onOpen('delete')}>
                Delete
              </button>
            </>
          )}
          {key.status === 'expired' && (
            <button type="button" aria-label={`Regenerate Key ${label}`} onClick={() => props.onOpen('regenerate')}>
              Regenerate Key
            </button>
          )}
          <a
            href={`/console/keys/${encodeURIComponent(key.id)}/history`}
            aria-label={`History ${label}`}
            onClick={(event) => {
              event.preventDefault();
              props.ctx.navigate(`/console/keys/${encodeURIComponent(key.id)}/history`);
            }}
          >
            History
          </a>
        </div>
      </td>
    </tr>
  );
}

/** Field messages of a problem+json answer, under the form. */
function Problems(props: { error: unknown }) {
  if (!props.error) return null;
  const fieldErrors = props.error instanceof ApiProblem ? props.error.fieldErrors : [];
  return (
    <div role="alert" class="error">
      <p>{message(props.error)}</p>
      {fieldErrors.length > 0 && (
        <ul>
          {fieldErrors.map((e) => (
            <li key={`${e.field}:${e.message}`}>
              {e.field}: {e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

type Perform = (action: Action) => Promise<void>;

function useSubmit(perform: Perform) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (action: Action | string) => {
    if (typeof action === 'string') {
      setError(new Error(action));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await perform(action);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, submit };
}

function WebhookField(props: { value: 'single' | 'multiple'; onChange: (v: 'single' | 'multiple') => void }) {
  return (
    <fieldset>
      <legend>Webhook setting</legend>
      <label>
        <input type="radio" name="webhook" checked={props.value === 'single'} onChange={() => props.onChange('single')} /> Single JSON
      </label>
      <label>
        <input type="radio" name="webhook" checked={props.value === 'multiple'} onChange={() => props.onChange('multiple')} /> Multiple JSON
      </label>
    </fieldset>
  );
}

function GenerateDialog(props: { kind: Kind; onClose: () => void; perform: Perform }) {
  const [name, setName] = useState('');
  const [ips, setIps] = useState('');
  const [webhook, setWebhook] = useState<'single' | 'multiple'>('single');
  const { error, busy, submit } = useSubmit(props.perform);
  return (
    <Dialog title={`Generate ${KIND_LABEL[props.kind]}`} onClose={props.onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const allowedIps = parseIps(ips);
          void submit({
            kind: 'generate',
            body: {
              kind: props.kind,
              ...(name.trim() ? { name: name.trim() } : {}),
              ...(allowedIps.length ? { allowedIps } : {}),
              webhookFormat: webhook,
            },
          });
        }}
      >
        <p>
          <label for="gen-name">Name</label>
          <input id="gen-name" value={name} maxLength={100} onInput={(e) => setName(e.currentTarget.value)} />
        </p>
        <p>
          <label for="gen-ips">IP addresses or ranges</label>
          <textarea id="gen-ips" rows={3} value={ips} aria-describedby="gen-ips-hint" onInput={(e) => setIps(e.currentTarget.value)} />
          <small id="gen-ips-hint">One per line or comma-separated, e.g. 203.0.113.0/24. Empty: any address.</small>
        </p>
        <WebhookField value={webhook} onChange={setWebhook} />
        <Problems error={error} />
        <FormButtons submitLabel="Generate" busy={busy} onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}

const EXPIRY_CHOICES = [
  { value: 'now', label: 'Now' },
  { value: 'PT1H', label: '1 hour' },
  { value: 'PT24H', label: '24 hours' },
  { value: 'P7D', label: '7 days' },
  { value: 'P30D', label: '30 days' },
  { value: 'at', label: 'A date and time' },
] as const;

function RegenerateDialog(props: { keyView: KeyView; onClose: () => void; perform: Perform }) {
  const [choice, setChoice] = useState<(typeof EXPIRY_CHOICES)[number]['value']>('PT1H');
  const [at, setAt] = useState('');
  const { error, busy, submit } = useSubmit(props.perform);
  return (
    <Dialog title="Regenerate Key" onClose={props.onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (choice === 'at') {
            const iso = localToIso(at);
            void submit(iso ? { kind: 'regenerate', keyId: props.keyView.id, body: { oldKeyExpiresAt: iso } } : 'Choose a date and time');
          } else {
            void submit({ kind: 'regenerate', keyId: props.keyView.id, body: { oldKeyExpiresIn: choice } });
          }
        }}
      >
        <fieldset>
          <legend>Choose when the current key should expire</legend>
          {EXPIRY_CHOICES.map((c) => (
            <label key={c.value}>
              <input type="radio" name="old-expiry" checked={choice === c.value} onChange={() => setChoice(c.value)} /> {c.label}
            </label>
          ))}
        </fieldset>
        {choice === 'at' && (
          <p>
            <label for="regen-at">Expiry date and time</label>
            <input id="regen-at" type="datetime-local" value={at} onInput={(e) => setAt(e.currentTarget.value)} />
          </p>
        )}
        <p>Until then both the current key ({props.keyView.start}…) and the new one are valid. The new key is shown once.</p>
        <Problems error={error} />
        <FormButtons submitLabel="Set Expiry" busy={busy} onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}

function ExpiryDialog(props: { keyView: KeyView; onClose: () => void; perform: Perform }) {
  const key = props.keyView;
  const [version, setVersion] = useState<'current' | 'previous'>('current');
  const [never, setNever] = useState(false);
  const [at, setAt] = useState('');
  const { error, busy, submit } = useSubmit(props.perform);
  return (
    <Dialog title={`Set expiry of ${key.name || key.start}`} onClose={props.onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const iso = never ? null : localToIso(at);
          if (!never && !iso) return void submit('Choose a date and time, or Never');
          void submit({ kind: 'expiry', keyId: key.id, body: { expiresAt: iso, ...(version === 'previous' ? { version } : {}) } });
        }}
      >
        {key.previous && (
          <fieldset>
            <legend>Which key</legend>
            <label>
              <input type="radio" name="which" checked={version === 'current'} onChange={() => setVersion('current')} /> Current key
            </label>
            <label>
              <input type="radio" name="which" checked={version === 'previous'} onChange={() => setVersion('previous')} /> Previous key
            </label>
          </fieldset>
        )}
        <p>
          <label for="expiry-at">Expiry date and time</label>
          <input id="expiry-at" type="datetime-local" disabled={never} value={at} onInput={(e) => setAt(e.currentTarget.value)} />
        </p>
        {version === 'current' && (
          <p>
            <label>
              <input type="checkbox" checked={never} onChange={(e) => setNever(e.currentTarget.checked)} /> Never expires
            </label>
          </p>
        )}
        <Problems error={error} />
        <FormButtons submitLabel="Save expiry" busy={busy} onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}

function EditDialog(props: { keyView: KeyView; onClose: () => void; perform: Perform }) {
  const key = props.keyView;
  const [name, setName] = useState(key.name);
  const [ips, setIps] = useState(key.allowedIps.join('\n'));
  const [webhook, setWebhook] = useState<'single' | 'multiple'>(key.webhookFormat);
  const { error, busy, submit } = useSubmit(props.perform);
  return (
    <Dialog title={`Edit ${key.name || key.start}`} onClose={props.onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit({ kind: 'update', keyId: key.id, body: { name: name.trim(), allowedIps: parseIps(ips), webhookFormat: webhook } });
        }}
      >
        <p>
          <label for="edit-name">Name</label>
          <input id="edit-name" value={name} maxLength={100} onInput={(e) => setName(e.currentTarget.value)} />
        </p>
        <p>
          <label for="edit-ips">IP addresses or ranges</label>
          <textarea id="edit-ips" rows={3} value={ips} aria-describedby="edit-ips-hint" onInput={(e) => setIps(e.currentTarget.value)} />
          <small id="edit-ips-hint">One per line or comma-separated. Empty: any address.</small>
        </p>
        <WebhookField value={webhook} onChange={setWebhook} />
        <Problems error={error} />
        <FormButtons submitLabel="Save" busy={busy} onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}

function DeleteDialog(props: { keyView: KeyView; onClose: () => void; perform: Perform }) {
  const key = props.keyView;
  const { error, busy, submit } = useSubmit(props.perform);
  const label = key.name ? `“${key.name}” (${key.start}…)` : `${key.start}…`;
  return (
    <Dialog title={`Delete ${key.name || key.start}?`} onClose={props.onClose}>
      <p>
        Delete the key {label}? It stops working everywhere at once{key.previous ? ', together with its previous key' : ''}. This cannot be
        undone.
      </p>
      <Problems error={error} />
      <div class="buttons">
        <button type="button" class="danger" disabled={busy} onClick={() => void submit({ kind: 'revoke', keyId: key.id })}>
          Delete key
        </button>
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
