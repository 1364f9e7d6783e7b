/** What every screen gets from the shell (main.tsx): configuration, the session, roles, and the step-up loop. */
import type { Action, Outcome } from './actions';
import type { ConsoleConfig, Session } from './auth';

export interface Ctx {
  config: ConsoleConfig;
  session: Session;
  accountId: string;
  canManage: boolean;
  /** Owners and admins: account settings (the leak policy) besides the keys. */
  canManageAccount: boolean;
  canReadHistory: boolean;
  announce: (message: string) => void;
  navigate: (path: string) => void;
  /** Runs a change; a step-up challenge sends the person to re-enter their password, then the change resumes. */
  perform: (action: Action) => Promise<Outcome | null>;
}
