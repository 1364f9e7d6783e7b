/**
 * Idempotent generate and regenerate (README, "Idempotent requests"; Stripe's semantics): the first
 * request with an `Idempotency-Key` runs; its answer — the new key and its secret, or the problem it
 * ended in — is sealed with the service's SecretSealer (AES-256-GCM, bound to the storage key) and
 * kept 24 h; the same request with the same key is answered that again, and records nothing. The
 * same key with another request is 422 IDEMPOTENCY_KEY_REUSED; while the first is still running,
 * 409 IDEMPOTENCY_KEY_IN_USE. If the store cannot be reached the request is refused (503
 * IDEMPOTENCY_UNAVAILABLE): never run without the protection asked for.
 *
 * What is kept: every answer of a request that ran (the command was executed), errors included —
 * a business rejection (a 4xx such as TOO_MANY_KEYS) and a 5xx alike, since a request that failed with
 * a 5xx may still have recorded its change (STORE_UNAVAILABLE says so) and running it again could make
 * a second key. What is not: refusals before it ran (authentication, step-up, validation, rate limits,
 * this header's own problems), which the same key may send again once fixed.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { SecretSealer, type KeyView } from '@cs/application';
import type { SealedSecret } from '@cs/domain';
import { ProblemException, type ProblemBody } from '../http/problem';
import { toProblem } from '../http/problem.filter';
import { IDEMPOTENCY_STORE, type IdempotencyStore } from './idempotency-store';
import { requestFingerprint, storageKey, type IdempotencyScope, type IdempotentRequest } from './idempotency-key';

/** How long a key holds its request and answer. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** A new secret and its key: the answer of generate and regenerate. */
export interface SecretAnswerBody {
  key: KeyView;
  secret: string;
}

type StoredAnswer =
  { ok: true; answer: SecretAnswerBody } | { ok: false; problem: Pick<ProblemBody, 'status' | 'code' | 'title' | 'detail'> };

/** The answer, and whether it is a replay of an earlier one (HTTP: `Idempotent-Replayed: true`). */
export interface IdempotentOutcome {
  answer: SecretAnswerBody;
  replayed: boolean;
}

/** The header a replayed answer carries (HTTP header; gRPC trailer on a replayed error). */
export const REPLAYED_HEADER = 'idempotent-replayed';

/** The stored problem of the first request, sent again. */
class ReplayedProblem extends ProblemException {
  constructor(problem: StoredAnswer & { ok: false }) {
    super(problem.problem.status, problem.problem.code, problem.problem.title, problem.problem.detail, {
      headers: { [REPLAYED_HEADER]: 'true' },
    });
  }
}

export const idempotencyKeyReused = (): ProblemException =>
  new ProblemException(
    422,
    'IDEMPOTENCY_KEY_REUSED',
    'Idempotency key reused',
    'this Idempotency-Key was used with a different request in the last 24 hours; use a new key for a new request',
  );

export const idempotencyKeyInUse = (): ProblemException =>
  new ProblemException(
    409,
    'IDEMPOTENCY_KEY_IN_USE',
    'Idempotency key in use',
    'a request with this Idempotency-Key is still running; retry shortly',
    {
      headers: { 'retry-after': '1' },
    },
  );

export const idempotencyUnavailable = (): ProblemException =>
  new ProblemException(
    503,
    'IDEMPOTENCY_UNAVAILABLE',
    'Idempotency store unavailable',
    'the store of idempotency keys did not answer; the request was not run',
    { headers: { 'retry-after': '1' } },
  );

@Injectable()
export class Idempotency implements OnApplicationShutdown {
  private readonly logger = new Logger('idempotency');

  constructor(
    @Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore,
    @Inject(SecretSealer) private readonly sealer: SecretSealer,
  ) {}

  /** Runs `execute` once per (scope, key); without a key, simply runs it. */
  async run(
    key: string | undefined,
    scope: IdempotencyScope,
    request: IdempotentRequest,
    execute: () => Promise<SecretAnswerBody>,
  ): Promise<IdempotentOutcome> {
    if (key === undefined) return { answer: await execute(), replayed: false };
    const at = storageKey(scope, key);
    let begun;
    try {
      begun = await this.store.begin(at, requestFingerprint(scope, request), IDEMPOTENCY_TTL_MS);
    } catch (error) {
      this.logger.warn(`idempotency store: ${error instanceof Error ? error.message : String(error)}; request refused`);
      throw idempotencyUnavailable();
    }
    if (begun.state === 'mismatch') throw idempotencyKeyReused();
    if (begun.state === 'in-flight') throw idempotencyKeyInUse();
    if (begun.state === 'completed') {
      const stored = this.open(at, begun.answer);
      if (!stored.ok) throw new ReplayedProblem(stored);
      return { answer: stored.answer, replayed: true };
    }
    let stored: StoredAnswer;
    let outcome: SecretAnswerBody;
    try {
      outcome = await execute();
      stored = { ok: true, answer: outcome };
    } catch (error) {
      const problem = toProblem(error);
      await this.keep(at, begun.claim, {
        ok: false,
        problem: { status: problem.status, code: problem.code, title: problem.title, detail: problem.detail },
      });
      throw error;
    }
    await this.keep(at, begun.claim, stored);
    return { answer: outcome, replayed: false };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }

  /** Stores the sealed answer. A failure here does not change the answer: the key stays in use (409) until it expires. */
  private async keep(at: string, claim: string, answer: StoredAnswer): Promise<void> {
    try {
      const sealed = this.sealer.seal(JSON.stringify(answer), { keyId: `idempotency:${at}`, secretVersion: 0 });
      if (!(await this.store.complete(at, claim, JSON.stringify(sealed), IDEMPOTENCY_TTL_MS)))
        this.logger.warn('an idempotent request outlived its claim; its answer was not kept');
    } catch (error) {
      this.logger.warn(
        `idempotency store: the answer was not kept (${error instanceof Error ? error.message : String(error)}); ` +
          'the key answers IDEMPOTENCY_KEY_IN_USE until it expires',
      );
    }
  }

  private open(at: string, answer: string): StoredAnswer {
    return JSON.parse(
      this.sealer.open(JSON.parse(answer) as SealedSecret, { keyId: `idempotency:${at}`, secretVersion: 0 }),
    ) as StoredAnswer;
  }
}
