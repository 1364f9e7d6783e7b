/**
 * Shared pieces of the specs that run the validity projection and the notification relay against an
 * event store: a logger that keeps its lines, a bounded wait that prints them on timeout, checkpoints
 * in a map, and a GenerateKey through the real KeyCommandExecutor.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { CommandContext, KeyCommandExecutor } from '@cs/application';
import type { CheckpointStore } from '@cs/event-store';

export const sealed = { kid: 'test', alg: 'A256GCM' as const, iv: 'iv', ciphertext: 'ct', tag: 'tag' };
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Every line logged, as `<level> <message>`. */
export function capturingLogger(): {
  lines: string[];
  logger: { log(m: string): void; warn(m: string): void; error(m: string): void };
} {
  const lines: string[] = [];
  return {
    lines,
    logger: {
      log: (m) => void lines.push(`log ${m}`),
      warn: (m) => void lines.push(`warn ${m}`),
      error: (m) => void lines.push(`error ${m}`),
    },
  };
}

/** A wait that polls `check` every 10 ms and fails after `ms` with the last of `lines`. */
export const untilLogged =
  (lines: string[]) =>
  async (what: string, check: () => boolean | Promise<boolean>, ms = 3000): Promise<void> => {
    for (const end = Date.now() + ms; !(await check()); await sleep(10)) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${lines.slice(-10).join('\n')}`);
    }
  };

export class MapCheckpoints implements CheckpointStore {
  readonly stored = new Map<string, bigint>();
  async load(name: string) {
    return this.stored.get(name);
  }
  async save(name: string, position: bigint) {
    this.stored.set(name, position);
  }
}

/** A new API key of `accountId`, generated through `executor`; its id and recorded events. */
export async function generateKey(executor: KeyCommandExecutor, accountId: string, context: CommandContext) {
  const keyId = `key_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
  const hash = createHash('sha256').update(randomUUID()).digest('hex');
  const command = {
    type: 'GenerateKey' as const,
    keyId,
    accountId,
    kind: 'api' as const,
    name: 'k',
    allowedIps: [],
    webhookFormat: 'single' as const,
    secret: { hash, start: 'ak_test_abc123', sealed },
  };
  const outcome = await executor.execute(keyId, accountId, () => ({ command, result: null }), context);
  if (!outcome.ok) throw new Error(`GenerateKey refused: ${outcome.rejection.message}`);
  return { keyId, events: outcome.events };
}
