/**
 * A leak report from a secret scanning partner (README, "Secret scanning"), once its signature and
 * shape are checked at the edge: each token, by the SHA-256 of it (the edge hashes it; the token
 * itself never reaches this layer), is looked up in the validity index, which maps every secret
 * hash the service issued (current, in grace, and the last retired ones) to its key. A token of no
 * key is a `false_positive` and records nothing. A token of a key records KeyLeakReported on the
 * key's stream, through the ordinary command pipeline, under the account's leak policy (the
 * `revoke` policy revokes it in the same append, and the revocation is in force when this returns).
 * The same token twice in one report is decided once.
 */
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { LeakReportDetails } from '@cs/domain';
import { EVENT_STORE, type EventStore } from '@cs/event-store';
import { VALIDITY_INDEX, type ValidityIndex } from '@cs/validity';
import { KeyCommandExecutor, type Actor, type CommandOutcome } from '../key-command-executor';
import { LeakPolicies } from './leak-policy';

/** The actor of every event a leak report records. */
export const SECRET_SCANNING_ACTOR: Actor = { type: 'system', name: 'secret-scanning' };

export interface ReportedToken {
  /** Hex SHA-256 of the token as the partner sent it (what the index is keyed by, and what the answer names). */
  tokenHash: string;
  /** The partner's name for the token format. */
  tokenType: string;
  url: string;
  source: string | null;
}

export type LeakLabel = 'true_positive' | 'false_positive';

/** One answer per reported token, in the order they came, as GitHub's partner program reads them. */
export interface TokenVerdict {
  token_hash: string;
  token_type: string;
  label: LeakLabel;
}

/** Tries per token when the key changed between reading and appending. */
const ATTEMPTS = 3;

export class ReportLeaks extends Command<TokenVerdict[]> {
  constructor(
    /** `lr_` and 32 hex digits of the SHA-256 of the report's body. */
    readonly reportId: string,
    readonly receivedAt: Date,
    readonly tokens: ReportedToken[],
    readonly correlationId?: string,
  ) {
    super();
  }
}

@CommandHandler(ReportLeaks)
export class ReportLeaksHandler implements ICommandHandler<ReportLeaks> {
  private readonly policies: LeakPolicies;

  constructor(
    @Inject(VALIDITY_INDEX) private readonly index: ValidityIndex,
    @Inject(KeyCommandExecutor) private readonly executor: KeyCommandExecutor,
    @Inject(EVENT_STORE) store: EventStore,
  ) {
    this.policies = new LeakPolicies(store);
  }

  async execute({ reportId, receivedAt, tokens, correlationId }: ReportLeaks): Promise<TokenVerdict[]> {
    const labels = new Map<string, LeakLabel>();
    const verdicts: TokenVerdict[] = [];
    for (const token of tokens) {
      let label = labels.get(token.tokenHash);
      if (label === undefined) {
        label = await this.report(token, { reportId, receivedAt: receivedAt.toISOString(), ...details(token) }, correlationId);
        labels.set(token.tokenHash, label);
      }
      verdicts.push({ token_hash: token.tokenHash, token_type: token.tokenType, label });
    }
    return verdicts;
  }

  private async report(token: ReportedToken, report: LeakReportDetails, correlationId: string | undefined): Promise<LeakLabel> {
    const entry = await this.index.lookup(token.tokenHash);
    if (!entry) return 'false_positive';
    const context = { actor: SECRET_SCANNING_ACTOR, correlationId };
    let outcome: CommandOutcome<null> | undefined;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      // Read at each attempt: the policy may have changed with the key.
      const policy = await this.policies.policyOf(entry.accountId);
      outcome = await this.executor.execute(
        entry.keyId,
        entry.accountId,
        () => ({ command: { type: 'ReportLeak', report, secretVersion: entry.secretVersion, policy }, result: null }),
        context,
      );
      if (outcome.ok || outcome.rejection.code !== 'CONCURRENT_CHANGE') break;
    }
    if (outcome?.ok) return 'true_positive';
    // The index named a key its stream does not have (a key whose history was deleted): not ours any more.
    if (outcome?.rejection.code === 'KEY_NOT_FOUND') return 'false_positive';
    throw new Error(`a leak report could not be recorded: ${outcome?.rejection.code ?? 'no attempt'}`);
  }
}

const details = ({ tokenType, url, source }: ReportedToken) => ({ tokenType, url, source });
