/**
 * The Developer Space console (apps/console/README.md): boot (configuration, sign-in or its callback),
 * a tiny router over history.pushState, the live region and the step-up loop around every change.
 */
import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { run, type Action, type Outcome } from './actions';
import { StepUpRequired, whenSignedOut } from './api';
import { completeSignIn, currentSession, loadConfig, signIn, signOut, type ConsoleConfig, type Session } from './auth';
import { HistoryPage } from './history';
import { KeysPage } from './keys';
import type { Ctx } from './ctx';
import './styles.css';

const MANAGERS = ['owner', 'admin', 'developer'];

function App(props: {
  config: ConsoleConfig;
  session: Session;
  resumed: { action: Action; outcome: Outcome | null; error: string | null } | null;
}) {
  const { config, session } = props;
  const [path, setPath] = useState(window.location.pathname);
  const [status, setStatus] = useState(props.resumed?.error ?? '');
  const navigate = useCallback((to: string) => {
    window.history.pushState(null, '', to);
    setPath(to);
  }, []);
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname);
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const announce = useCallback((message: string) => {
    setStatus('');
    window.setTimeout(() => setStatus(message), 30);
  }, []);
  const perform = useCallback(
    async (action: Action): Promise<Outcome | null> => {
      try {
        return await run(config.apiBase, session.acct, action);
      } catch (error) {
        if (error instanceof StepUpRequired) {
          announce('Enter your password again to continue');
          await signIn(config, { stepUp: true, action });
        }
        throw error;
      }
    },
    [config, session, announce],
  );
  const ctx: Ctx = {
    config,
    session,
    accountId: session.acct,
    canManage: session.roles.some((r) => MANAGERS.includes(r)),
    canManageAccount: session.roles.some((r) => ['owner', 'admin'].includes(r)),
    canReadHistory: session.roles.some((r) => [...MANAGERS, 'auditor'].includes(r)),
    announce,
    navigate,
    perform,
  };
  const roleList = session.roles.join(', ') || 'no role';
  const keyHistory = /^\/console\/keys\/([^/]+)\/history\/?$/.exec(path);
  const page = keyHistory ? 'key-history' : path.startsWith('/console/history') ? 'history' : 'keys';
  const link = (to: string, label: string, current: boolean) => (
    <a
      href={to}
      aria-current={current ? 'page' : undefined}
      onClick={(event) => {
        event.preventDefault();
        navigate(to);
      }}
    >
      {label}
    </a>
  );
  return (
    <>
      <header>
        <p class="crumbs">Settings › Developer Space</p>
        <nav aria-label="Developer Space">
          {ctx.canManage && link('/console/', 'Authentication Keys', page === 'keys')}
          {ctx.canReadHistory && link('/console/history', 'History', page !== 'keys')}
        </nav>
        <p class="who">
          Signed in as <strong>{session.sub}</strong> ({roleList}) for account <strong>{session.acct}</strong>{' '}
          <button
            type="button"
            onClick={() => {
              signOut();
              window.location.assign('/console/');
            }}
          >
            Sign out
          </button>
        </p>
      </header>
      <main>
        {!ctx.canReadHistory ? (
          <section aria-labelledby="nothing">
            <h1 id="nothing">Nothing to show</h1>
            <p>
              Your role{session.roles.length === 1 ? '' : 's'} ({session.roles.join(', ') || 'none'}) may neither manage keys nor read their
              history. Developers, admins and owners manage keys; auditors read their history. Ask an owner of account {session.acct} for
              one of those roles.
            </p>
          </section>
        ) : page === 'keys' && ctx.canManage ? (
          <KeysPage ctx={ctx} resumed={props.resumed?.outcome ?? null} />
        ) : (
          <HistoryPage ctx={ctx} keyId={keyHistory ? decodeURIComponent(keyHistory[1]) : null} />
        )}
      </main>
      <div role="status" aria-live="polite" class="status">
        {status}
      </div>
    </>
  );
}

function Failure(props: { message: string; retry?: () => void }) {
  return (
    <main>
      <h1>Developer Space</h1>
      <p role="alert">{props.message}</p>
      {props.retry && (
        <button type="button" onClick={props.retry}>
          Sign in
        </button>
      )}
    </main>
  );
}

export const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

async function boot(root: HTMLElement): Promise<void> {
  let config: ConsoleConfig;
  try {
    config = await loadConfig();
  } catch (error) {
    render(<Failure message={describe(error)} />, root);
    return;
  }
  let resumed: { action: Action; outcome: Outcome | null; error: string | null } | null = null;
  if (window.location.pathname.startsWith(config.redirectPath)) {
    try {
      const back = await completeSignIn(config);
      window.history.replaceState(null, '', back.returnTo);
      if (back.action) {
        const action = back.action as Action;
        try {
          resumed = { action, outcome: await run(config.apiBase, currentSession()?.acct ?? '', action), error: null };
        } catch (error) {
          resumed = { action, outcome: null, error: `The change was not made: ${describe(error)}` };
        }
      }
    } catch (error) {
      render(<Failure message={`Sign-in failed: ${describe(error)}`} retry={() => void signIn(config)} />, root);
      return;
    }
  }
  const session = currentSession();
  if (!session) {
    await signIn(config);
    return;
  }
  // An expired token: back to the provider (silent while its session lasts), then to this page.
  whenSignedOut(() => void signIn(config));
  render(<App config={config} session={session} resumed={resumed} />, root);
}

void boot(document.getElementById('app') as HTMLElement);
