/**
 * A seam for watching commands run (metrics, traces) without the use cases knowing how: the
 * composition root supplies one (libs/composition observability/), the default does nothing.
 */

/** What a command ended as: `ok`, the rejection's code (KEY_NOT_FOUND, CONCURRENT_CHANGE, …) or `error` (it threw). */
export type CommandResultLabel = string;

export interface CommandObserver {
  /** Runs `run`, a command of type `type` (GenerateKey, RevokeKey, ExpireSecret, …), and records how it ended. */
  observe<T>(type: string, run: () => Promise<T>): Promise<T>;
}

export const NO_COMMAND_OBSERVER: CommandObserver = { observe: (_type, run) => run() };

/** `ok`, the rejection code of a `{ ok: false, rejection }` outcome, or `ok` for anything else a command returns. */
export function commandOutcomeLabel(outcome: unknown): CommandResultLabel {
  if (typeof outcome === 'object' && outcome !== null && (outcome as { ok?: unknown }).ok === false) {
    const code = (outcome as { rejection?: { code?: unknown } }).rejection?.code;
    return typeof code === 'string' ? code : 'rejected';
  }
  return 'ok';
}
