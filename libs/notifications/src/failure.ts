import { inspect } from 'node:util';

export interface FailureDescription {
  /** One line for the log: error names and messages down the cause chain. */
  reason: string;
  /** From the errors' own `retriable` (kafkajs) / `retryable` (event store) flag; undefined if none says. */
  retryCanHelp: boolean | undefined;
}

/**
 * Says why something failed and whether trying again can help. kafkajs wraps the last error of its
 * own retries in KafkaJSNumberOfRetriesExceeded, which is marked non-retriable ("I gave up") even when
 * the cause (a refused connection) is transient, so the innermost error that has a flag decides.
 */
export function describeFailure(err: unknown): FailureDescription {
  const parts: string[] = [];
  let retryCanHelp: boolean | undefined;
  let current: unknown = err;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (current instanceof Error) {
      parts.push(`${current.name}: ${current.message}`);
      const flagged = current as Error & { retriable?: unknown; retryable?: unknown };
      const flag = typeof flagged.retriable === 'boolean' ? flagged.retriable : flagged.retryable;
      if (typeof flag === 'boolean') retryCanHelp = flag;
      // An aggregate (e.g. one error per partition) can be retried only if all of its parts can.
      const errors = (current as Error & { errors?: unknown }).errors;
      if (Array.isArray(errors) && errors.length > 0) {
        const inner = errors.map(describeFailure);
        parts.push(`[${inner.map((i) => i.reason).join('; ')}]`);
        if (inner.every((i) => i.retryCanHelp !== undefined)) retryCanHelp = inner.every((i) => i.retryCanHelp);
      }
      current = (current as Error & { cause?: unknown }).cause;
    } else {
      // A thrown non-Error (a string, a plain object): its text, or one line of it, never '[object Object]'.
      parts.push(typeof current === 'string' ? current : inspect(current, { depth: 2, breakLength: Infinity }));
      current = undefined;
    }
  }
  return { reason: parts.join(' <- caused by ') || 'unknown error', retryCanHelp };
}
