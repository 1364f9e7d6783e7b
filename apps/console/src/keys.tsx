/**
 * Authentication Keys: the API keys, the signing keys and the publishable keys, each a table, with
 * Generate, Show key (eye), Regenerate Key, Set expiry, Edit, Suspend / Resume and Delete, the keys'
 * permissions, external id, metadata and last use, and the account's leak policy; updated live when
 * someone else changes a key.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { LEAK_POLICY_LABEL, type Action, type Outcome } from './actions';
import { api, ApiProblem, listAllKeys, messagesFor, onAccount, unwrap, type KeyView, type LeakPolicyView } from './api';
import { CopyButton, Dialog, FormButtons } from './dialog';
import { expiresIn, formatTime, localToIso, masked, parseIps, parseList, statusLabel, timeAgo } from './format';
import { followAccount } from './live';
import type { Ctx } from './ctx';

type Kind = 'api' | 'signing' | 'publishable';
type Open =
  | { dialog: 'generate'; kind: Kind }
  | { dialog: 'secret'; key: KeyView; secret: string; regenerated: boolean }
  | { dialog: 'regenerate' | 'expiry' | 'edit' | 'delete' | 'suspend'; key: KeyView }
  | null;
type RowDialog = 'regenerate' | 'expiry' | 'edit' | 'delete' | 'suspend';

const KIND_LABEL: Record<Kind, string> = { api: 'API Key', signing: 'Signing Key', publishable: 'Publishable Key' };

/** The tables, in order: caption (also the heading), what an empty one says, and the columns after Name and Key. */
const SECTIONS: Array<{ kind: Kind; caption: string; empty: string; columns: string[] }> = [
  {
    kind: 'api',
    caption: 'API keys',
    empty: 'No API keys yet.',
    columns: ['IP restriction', 'Permissions', 'Webhook setting', 'Status', 'Created', 'Last used', 'Expiry', 'Actions'],
  },
  {
    kind: 'signing',
    caption: 'Signing keys',
    empty: 'No signing keys yet.',
    columns: ['IP restriction', 'Webhook setting', 'Status', 'Created', 'Expiry', 'Actions'],
  },
  {
    kind: 'publishable',
    caption: 'Publishable keys',
    empty: 'No publishable keys yet.',
    columns: ['Allowed origins', 'Permissions', 'Status', 'Created', 'Last used', 'Expiry', 'Actions'],
  },
];

/** What a publishable key may carry (the API refuses anything else), all four when none are given. */
const PUBLISHABLE_PERMISSIONS = 'checkout:read, payment-links:read, products:read, prices:read';

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
  const [policy, setPolicy] = useState<LeakPolicyView | null>(null);
  const [policyError, setPolicyError] = useState<string | null>(null);
  const [, tick] = useState(0);

  const loadPolicy = useCallback(async () => {
    try {
      setPolicy(unwrap(await api(ctx.config.apiBase).GET('/v1/accounts/{accountId}/leak-policy', onAccount(ctx.accountId))));
      setPolicyError(null);
    } catch (error) {
      setPolicyError(message(error));
    }
  }, [ctx.config.apiBase, ctx.accountId]);

  const reload = useCallback(async () => {
    try {
      const all = await listAllKeys(ctx.config.apiBase, ctx.accountId);
      setKeys(all);
      setLoadError(null);
    } catch (error) {
      setLoadError(message(error));
    }
  }, [ctx.config.apiBase, ctx.accountId]);

  useEffect(() => {
    void reload();
    void loadPolicy();
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
      } else if (outcome.kind === 'leak-policy') {
        setPolicy(outcome.policy);
        ctx.announce(outcome.message);
        return;
      } else {
        // The changed key at once (its buttons change with it), usage kept: command answers carry no lastUsedAt.
        const changed = outcome.key;
        setKeys((all) => all && all.map((k) => (k.id === changed.id ? { ...changed, lastUsedAt: changed.lastUsedAt ?? k.lastUsedAt } : k)));
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

  const table = (section: (typeof SECTIONS)[number]) => {
    const { kind, caption } = section;
    const rows = (keys ?? []).filter((k) => k.kind === kind);
    return (
      <section aria-labelledby={`${kind}-heading`} key={kind}>
        <div class="section-head">
          <h2 id={`${kind}-heading`}>{caption}</h2>
          <button type="button" class="primary" id={`generate-${kind}`} onClick={() => setOpen({ dialog: 'generate', kind })}>
            Generate {KIND_LABEL[kind]}
          </button>
        </div>
        {rows.length === 0 ? (
          <p>{section.empty}</p>
        ) : (
          <table>
            <caption class="visually-hidden">{caption}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                {section.columns.map((column) => (
                  <th scope="col" key={column}>
                    {column}
                  </th>
                ))}
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
                  onResume={() => void perform({ kind: 'resume', keyId: key.id }).catch((e) => ctx.announce(message(e)))}
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
          {SECTIONS.map(table)}
          <LeakPolicySection ctx={ctx} policy={policy} loadError={policyError} perform={perform} />
        </>
      )}
      {open?.dialog === 'generate' && <GenerateDialog kind={open.kind} onClose={() => setOpen(null)} perform={perform} />}
      {open?.dialog === 'secret' && (
        <Dialog
          title={open.regenerated ? 'Key regenerated' : `${KIND_LABEL[open.key.kind]} generated`}
          onClose={() => setOpen(null)}
          returnFocusTo={open.regenerated ? undefined : `generate-${open.key.kind}`}
        >
          {open.key.kind === 'publishable' ? (
            <PublicKeyShown
              publicKey={open.secret}
              announce={ctx.announce}
              notice="This key is public: put it in your checkout pages. The table keeps showing it in full."
            />
          ) : open.key.algorithm === 'ed25519' ? (
            <PublicKeyShown
              publicKey={open.secret}
              announce={ctx.announce}
              notice={
                'This is the public key your receivers verify with; the private key never leaves the service. The table ' +
                `keeps showing it, and receivers can also fetch it from /v1/accounts/${open.key.accountId}/jwks.json.`
              }
            />
          ) : (
            <SecretOnce secret={open.secret} announce={ctx.announce} />
          )}
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
      {open?.dialog === 'suspend' && <SuspendDialog keyView={open.key} onClose={() => setOpen(null)} perform={perform} />}
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

/** A new publishable key or Ed25519 public key: public by design, so no "shown once" (the table shows it in full too). */
function PublicKeyShown(props: { publicKey: string; announce: (m: string) => void; notice: string }) {
  return (
    <>
      <p id="public-key-notice">{props.notice}</p>
      <p>
        <label for="new-secret">New key</label>
        <input id="new-secret" class="secret" readOnly value={props.publicKey} aria-describedby="public-key-notice" />
      </p>
      <CopyButton text={props.publicKey} announce={props.announce} />
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
  onOpen: (dialog: RowDialog) => void;
  onResume: () => void;
}) {
  const key = props.keyView;
  const label = key.name || key.start;
  const active = key.status === 'active';
  const suspended = key.status === 'suspended';
  const publishable = key.kind === 'publishable';
  /** An Ed25519 signing key: what the table shows is its public key (its private key is never shown). */
  const publicKey = key.algorithm === 'ed25519' ? key.publicKey : undefined;
  const whyNoRegenerate = `regenerate-off-${key.id}`;
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
          (active || suspended) &&
          !publishable &&
          !publicKey && (
            <button type="button" aria-label={`Show key${which}`} title="Show key" onClick={() => props.onReveal(version)}>
              <EyeIcon />
            </button>
          )
        )}
      </div>
    );
  };
  const current =
    publishable && key.key ? (
      // Public by design: shown in full, no eye.
      <div class="secret-cell">
        <code class="secret">{key.key}</code>
        <CopyButton text={key.key} announce={props.ctx.announce} name={`Copy ${label}`} />
      </div>
    ) : publicKey ? (
      <div class="secret-cell">
        <code class="secret" aria-label={`public key of ${label}`}>
          {publicKey}
        </code>
        <CopyButton text={publicKey} announce={props.ctx.announce} name={`Copy public key of ${label}`} />
      </div>
    ) : (
      secretCell('current', key.start)
    );
  const lastUsed = key.lastUsedAt ? (
    <time dateTime={key.lastUsedAt} title={formatTime(key.lastUsedAt)}>
      {timeAgo(key.lastUsedAt)}
    </time>
  ) : (
    'Never'
  );
  const permissions = key.permissions.length ? (
    <ul class="plain">
      {key.permissions.map((p) => (
        <li key={p}>
          <code>{p}</code>
        </li>
      ))}
    </ul>
  ) : (
    'Unrestricted'
  );
  const hasMetadata = Object.keys(key.metadata ?? {}).length > 0;
  return (
    <tr>
      <th scope="row">
        {key.name || <span class="muted">(unnamed)</span>}
        {key.kind === 'signing' && <span class="detail">Format: {signingFormatLabel(key)}</span>}
        {key.externalId && <span class="detail">External id: {key.externalId}</span>}
        {hasMetadata && (
          <details class="detail">
            <summary aria-label={`Metadata of ${label}`}>Metadata</summary>
            <pre>{JSON.stringify(key.metadata, null, 2)}</pre>
          </details>
        )}
      </th>
      <td>
        {current}
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
      {publishable ? (
        <td>
          <ul class="plain">
            {(key.allowedOrigins ?? []).map((o) => (
              <li key={o}>{o}</li>
            ))}
          </ul>
        </td>
      ) : (
        <td>{key.allowedIps.length ? key.allowedIps.join(', ') : 'Any IP address'}</td>
      )}
      {key.kind !== 'signing' && <td>{permissions}</td>}
      {!publishable && <td>{key.webhookFormat === 'multiple' ? 'Multiple JSON' : 'Single JSON'}</td>}
      <td>
        {statusLabel(key.status)}
        {suspended && (
          <span class="detail muted" id={whyNoRegenerate}>
            Resume it to regenerate
          </span>
        )}
      </td>
      <td>
        {key.createdBy}
        <br />
        <time dateTime={key.createdAt}>{formatTime(key.createdAt)}</time>
      </td>
      {key.kind !== 'signing' && <td>{lastUsed}</td>}
      <td>{key.expiresAt ? <time dateTime={key.expiresAt}>{formatTime(key.expiresAt)}</time> : 'Never'}</td>
      <td>
        <div class="actions">
          {(active || suspended) && (
            // The same buttons in both states, so the one that suspends (or resumes) keeps the focus as its label changes.
            <>
              <button
                type="button"
                aria-label={`Regenerate Key ${label}`}
                aria-disabled={suspended ? 'true' : undefined}
                aria-describedby={suspended ? whyNoRegenerate : undefined}
                title={suspended ? 'A suspended key is not regenerated: resume it first' : undefined}
                onClick={() => !suspended && props.onOpen('regenerate')}
              >
                Regenerate Key
              </button>
              <button type="button" aria-label={`Set expiry ${label}`} onClick={() => props.onOpen('expiry')}>
                Set expiry
              </button>
              <button type="button" aria-label={`Edit ${label}`} onClick={() => props.onOpen('edit')}>
                Edit
              </button>
              <button
                type="button"
                aria-label={`${suspended ? 'Resume' : 'Suspend'} ${label}`}
                onClick={() => (suspended ? props.onResume() : props.onOpen('suspend'))}
              >
                {suspended ? 'Resume' : 'Suspend'}
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

/** How a signing key signs: the scheme and algorithm its generate request names (README, "Signing payloads"). */
type SigningFormat = 'stripe' | 'standard-webhooks' | 'ed25519';
const SIGNING_FORMATS: {
  value: SigningFormat;
  label: string;
  body: { scheme?: 'stripe' | 'standard-webhooks'; algorithm?: 'hmac-sha256' | 'ed25519' };
}[] = [
  { value: 'stripe', label: 'Stripe-style header (t=…,v1=…)', body: {} },
  { value: 'standard-webhooks', label: 'Standard Webhooks, shared secret (whsec_…)', body: { scheme: 'standard-webhooks' } },
  {
    value: 'ed25519',
    label: 'Standard Webhooks, Ed25519 (receivers get a public key)',
    body: { scheme: 'standard-webhooks', algorithm: 'ed25519' },
  },
];

function SigningFormatField(props: { value: SigningFormat; onChange: (v: SigningFormat) => void }) {
  return (
    <fieldset>
      <legend>Signature format</legend>
      {SIGNING_FORMATS.map(({ value, label }) => (
        <label key={value}>
          <input type="radio" name="signing-format" checked={props.value === value} onChange={() => props.onChange(value)} /> {label}
        </label>
      ))}
    </fieldset>
  );
}

/** A signing key's format as the table says it. */
function signingFormatLabel(key: KeyView): string {
  if (key.algorithm === 'ed25519') return 'Standard Webhooks, Ed25519';
  return key.scheme === 'standard-webhooks' ? 'Standard Webhooks' : 'Stripe-style';
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

/**
 * A labelled text field with its hint and, next to it, what the API said about its body field
 * (`aria-invalid`, and the message in the field's description).
 */
function TextField(props: {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  hint?: string;
  messages?: string[];
  multiline?: boolean;
  maxLength?: number;
  required?: boolean;
}) {
  const messages = props.messages ?? [];
  const hintId = props.hint ? `${props.id}-hint` : undefined;
  const errorId = messages.length ? `${props.id}-error` : undefined;
  const common = {
    id: props.id,
    value: props.value,
    'aria-describedby': [errorId, hintId].filter(Boolean).join(' ') || undefined,
    'aria-invalid': errorId ? ('true' as const) : undefined,
    'aria-required': props.required ? ('true' as const) : undefined,
  };
  return (
    <p>
      <label for={props.id}>{props.label}</label>
      {props.multiline ? (
        <textarea rows={3} {...common} onInput={(e) => props.onInput(e.currentTarget.value)} />
      ) : (
        <input maxLength={props.maxLength} {...common} onInput={(e) => props.onInput(e.currentTarget.value)} />
      )}
      {errorId && (
        <span id={errorId} class="error field-error">
          {messages.join(' ')}
        </span>
      )}
      {hintId && <small id={hintId}>{props.hint}</small>}
    </p>
  );
}

const PERMISSIONS_HINT: Record<Kind, string> = {
  api: 'resource:action, comma-separated, e.g. payments:write, refunds:read (resource:* or * for all). Empty: unrestricted.',
  signing: '',
  publishable: `Among ${PUBLISHABLE_PERMISSIONS}. Empty: all four.`,
};
const ORIGINS_HINT = 'Required. One per line or comma-separated: https://shop.example (http only for localhost).';
const EXTERNAL_ID_HINT = 'Optional: your id for the key’s owner, e.g. merchant-42.';

function GenerateDialog(props: { kind: Kind; onClose: () => void; perform: Perform }) {
  const { kind } = props;
  const [name, setName] = useState('');
  const [ips, setIps] = useState('');
  const [origins, setOrigins] = useState('');
  const [permissions, setPermissions] = useState('');
  const [externalId, setExternalId] = useState('');
  const [webhook, setWebhook] = useState<'single' | 'multiple'>('single');
  const [format, setFormat] = useState<SigningFormat>('stripe');
  const { error, busy, submit } = useSubmit(props.perform);
  return (
    <Dialog title={`Generate ${KIND_LABEL[kind]}`} onClose={props.onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const allowedIps = parseIps(ips);
          const perms = parseList(permissions);
          void submit({
            kind: 'generate',
            body: {
              kind,
              ...(name.trim() ? { name: name.trim() } : {}),
              ...(kind === 'publishable' ? { allowedOrigins: parseList(origins) } : allowedIps.length ? { allowedIps } : {}),
              ...(kind !== 'signing' && perms.length ? { permissions: perms } : {}),
              ...(externalId.trim() ? { externalId: externalId.trim() } : {}),
              ...(kind !== 'publishable' ? { webhookFormat: webhook } : {}),
              ...(kind === 'signing' ? SIGNING_FORMATS.find((f) => f.value === format)?.body : {}),
            },
          });
        }}
      >
        <TextField id="gen-name" label="Name" value={name} maxLength={100} onInput={setName} messages={messagesFor(error, 'name')} />
        {kind === 'publishable' ? (
          <TextField
            id="gen-origins"
            label="Allowed origins"
            multiline
            required
            value={origins}
            onInput={setOrigins}
            hint={ORIGINS_HINT}
            messages={messagesFor(error, 'allowedOrigins')}
          />
        ) : (
          <TextField
            id="gen-ips"
            label="IP addresses or ranges"
            multiline
            value={ips}
            onInput={setIps}
            hint="One per line or comma-separated, e.g. 203.0.113.0/24. Empty: any address."
            messages={messagesFor(error, 'allowedIps')}
          />
        )}
        {kind !== 'signing' && (
          <TextField
            id="gen-permissions"
            label="Permissions"
            value={permissions}
            onInput={setPermissions}
            hint={PERMISSIONS_HINT[kind]}
            messages={messagesFor(error, 'permissions')}
          />
        )}
        <TextField
          id="gen-external-id"
          label="External id"
          value={externalId}
          maxLength={128}
          onInput={setExternalId}
          hint={EXTERNAL_ID_HINT}
          messages={messagesFor(error, 'externalId')}
        />
        {kind === 'signing' && <SigningFormatField value={format} onChange={setFormat} />}
        {kind !== 'publishable' && <WebhookField value={webhook} onChange={setWebhook} />}
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
  const kind = key.kind;
  const [name, setName] = useState(key.name);
  const [ips, setIps] = useState(key.allowedIps.join('\n'));
  const [origins, setOrigins] = useState((key.allowedOrigins ?? []).join('\n'));
  const [permissions, setPermissions] = useState(key.permissions.join(', '));
  const [externalId, setExternalId] = useState(key.externalId ?? '');
  const [webhook, setWebhook] = useState<'single' | 'multiple'>(key.webhookFormat);
  const { error, busy, submit } = useSubmit(props.perform);
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  return (
    <Dialog title={`Edit ${key.name || key.start}`} onClose={props.onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          // Name and the IP/webhook settings as before; the other fields only when changed (each is the whole new value).
          const perms = parseList(permissions);
          const allowedOrigins = parseList(origins);
          void submit({
            kind: 'update',
            keyId: key.id,
            body: {
              name: name.trim(),
              ...(kind !== 'publishable' ? { allowedIps: parseIps(ips), webhookFormat: webhook } : {}),
              ...(kind === 'publishable' && !same(allowedOrigins, key.allowedOrigins ?? []) ? { allowedOrigins } : {}),
              ...(kind !== 'signing' && !same(perms, key.permissions) ? { permissions: perms } : {}),
              ...(externalId.trim() !== (key.externalId ?? '') ? { externalId: externalId.trim() } : {}),
            },
          });
        }}
      >
        <TextField id="edit-name" label="Name" value={name} maxLength={100} onInput={setName} messages={messagesFor(error, 'name')} />
        {kind === 'publishable' ? (
          <TextField
            id="edit-origins"
            label="Allowed origins"
            multiline
            required
            value={origins}
            onInput={setOrigins}
            hint={ORIGINS_HINT}
            messages={messagesFor(error, 'allowedOrigins')}
          />
        ) : (
          <TextField
            id="edit-ips"
            label="IP addresses or ranges"
            multiline
            value={ips}
            onInput={setIps}
            hint="One per line or comma-separated. Empty: any address."
            messages={messagesFor(error, 'allowedIps')}
          />
        )}
        {kind !== 'signing' && (
          <TextField
            id="edit-permissions"
            label="Permissions"
            value={permissions}
            onInput={setPermissions}
            hint={PERMISSIONS_HINT[kind]}
            messages={messagesFor(error, 'permissions')}
          />
        )}
        <TextField
          id="edit-external-id"
          label="External id"
          value={externalId}
          maxLength={128}
          onInput={setExternalId}
          hint="Empty: none."
          messages={messagesFor(error, 'externalId')}
        />
        {kind !== 'publishable' && <WebhookField value={webhook} onChange={setWebhook} />}
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

function SuspendDialog(props: { keyView: KeyView; onClose: () => void; perform: Perform }) {
  const key = props.keyView;
  const [reason, setReason] = useState('');
  const { error, busy, submit } = useSubmit(props.perform);
  const label = key.name ? `“${key.name}” (${key.start}…)` : `${key.start}…`;
  return (
    <Dialog title={`Suspend ${key.name || key.start}?`} onClose={props.onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit({ kind: 'suspend', keyId: key.id, body: reason.trim() ? { reason: reason.trim() } : {} });
        }}
      >
        <p>
          Suspend the key {label}? Until you resume it,{' '}
          {key.kind === 'signing' ? 'nothing is signed with it' : 'requests with it are refused (SUSPENDED)'}
          {key.previous ? ', its previous key included' : ''}, and it cannot be regenerated. Resuming brings it back as it was.
        </p>
        <TextField
          id="suspend-reason"
          label="Reason"
          value={reason}
          maxLength={200}
          onInput={setReason}
          hint="Optional, kept in the key’s history."
          messages={messagesFor(error, 'reason')}
        />
        <Problems error={error} />
        <FormButtons submitLabel="Suspend key" busy={busy} onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}

/** The account's leak policy: owners and admins choose it (with a password re-verification); others read it. */
function LeakPolicySection(props: { ctx: Ctx; policy: LeakPolicyView | null; loadError: string | null; perform: Perform }) {
  const { policy } = props;
  const [choice, setChoice] = useState<LeakPolicyView['policy']>(policy?.policy ?? 'revoke');
  useEffect(() => {
    if (policy) setChoice(policy.policy);
  }, [policy?.policy, policy?.setAt]);
  const { error, busy, submit } = useSubmit(props.perform);
  return (
    <section aria-labelledby="leak-heading">
      <h2 id="leak-heading">Leaked keys</h2>
      <p>
        When a secret scanning partner (GitHub’s, for one) finds one of this account’s keys in public, it reports it here at once.
        Publishable keys are public: a report of one is recorded, never acted on.
      </p>
      {props.loadError && <p role="alert">The leak policy could not be loaded: {props.loadError}</p>}
      {policy &&
        (props.ctx.canManageAccount ? (
          <form
            class="setting"
            onSubmit={(event) => {
              event.preventDefault();
              void submit({ kind: 'leak-policy', body: { policy: choice } });
            }}
          >
            <fieldset>
              <legend>When a key is reported leaked</legend>
              {(['revoke', 'alert'] as const).map((value) => (
                <label key={value}>
                  <input type="radio" name="leak-policy" checked={choice === value} onChange={() => setChoice(value)} />{' '}
                  {LEAK_POLICY_LABEL[value]}
                </label>
              ))}
            </fieldset>
            <Problems error={error} />
            <button type="submit" class="primary" disabled={busy}>
              Save leak policy
            </button>
          </form>
        ) : (
          <p>
            When a key is reported leaked: <strong>{LEAK_POLICY_LABEL[policy.policy]}</strong>. Owners and admins change this.
          </p>
        ))}
      {policy && (
        <p class="muted">
          {policy.setAt ? (
            <>
              Set by {policy.setBy} on <time dateTime={policy.setAt}>{formatTime(policy.setAt)}</time>.
            </>
          ) : (
            'The default: no one has changed it.'
          )}
        </p>
      )}
    </section>
  );
}
