/**
 * The in-process aggregate verify bumps (usage.port.ts): per key, the current UTC day's counts and the
 * latest use. `record` is the whole per-verify cost: a Map lookup and two integer writes (a counter and
 * lastUsedAt), the day and time read from a coarse clock a timer updates (no Date per request).
 *
 * Bounded: counts merge per key and day, so memory is keys × days; past `maxEntries` key-days, a verify
 * of a key not yet in the aggregate is not counted (`dropped` says how many). A batch the store refused
 * comes back through `restore` and merges with what was counted meanwhile.
 */
import type { VerifyResult } from '../verdict';
import { DAY_MS, emptyRefused, totalRefused, USAGE_REFUSED_CODES, type UsageDelta } from './usage.port';

/** Epoch ms and epoch day, updated every `resolutionMs` (default 100 ms) by an unref'd timer. */
export class CoarseClock {
  now = 0;
  day = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly read: () => number = Date.now) {
    this.tick();
  }

  tick(): void {
    this.now = this.read();
    this.day = Math.floor(this.now / DAY_MS);
  }

  start(resolutionMs = 100): void {
    if (this.timer) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), resolutionMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** One key's counts on one day (mutable: the hot path increments it in place). */
class Tally {
  valid = 0;
  /** By refusal code (USAGE_REFUSED_CODES). */
  readonly refused = emptyRefused();
  lastUsedAt = 0;
  constructor(
    readonly keyId: string,
    readonly day: number,
  ) {}
}

export const DEFAULT_USAGE_MAX_ENTRIES = 100_000;

export class UsageAggregator {
  /** The current day's tally of each key. */
  private current = new Map<string, Tally>();
  /** Tallies of earlier days (a day rolled over) and batches the store refused, by `keyId day`. */
  private held = new Map<string, Tally>();
  /** Verifies not counted because the aggregate was full. */
  dropped = 0;

  constructor(
    private readonly clock: CoarseClock,
    private readonly maxEntries = DEFAULT_USAGE_MAX_ENTRIES,
  ) {}

  /** Key-days held now (current and held): what the bound applies to. */
  get size(): number {
    return this.current.size + this.held.size;
  }

  /** Counts one verify answer; answers that name no key (MALFORMED, NOT_FOUND) are not per-key usage. */
  record(result: VerifyResult): void {
    const keyId = result.keyId;
    if (keyId === undefined) return;
    let tally = this.current.get(keyId);
    if (tally === undefined || tally.day !== this.clock.day) {
      tally = this.open(keyId, tally);
      if (tally === undefined) return;
    }
    tally.lastUsedAt = this.clock.now;
    switch (result.code) {
      case 'VALID':
        tally.valid++;
        break;
      case 'REVOKED':
      case 'EXPIRED':
      case 'SUSPENDED':
      case 'IP_NOT_ALLOWED':
      case 'ORIGIN_NOT_ALLOWED':
      case 'INSUFFICIENT_PERMISSIONS':
        tally.refused[result.code]++;
        break;
      default:
        break;
    }
  }

  /** Everything counted so far, as deltas; the aggregate starts empty. */
  drain(): UsageDelta[] {
    const deltas: UsageDelta[] = [];
    for (const tally of this.held.values()) deltas.push(toDelta(tally));
    for (const tally of this.current.values()) deltas.push(toDelta(tally));
    this.held = new Map();
    this.current = new Map();
    return deltas;
  }

  /** Takes back a batch that was not written, merged with what was counted meanwhile (within the bound). */
  restore(deltas: readonly UsageDelta[]): void {
    for (const delta of deltas) {
      const id = `${delta.keyId} ${delta.day}`;
      let tally = this.held.get(id);
      if (tally === undefined) {
        if (this.size >= this.maxEntries) {
          this.dropped += delta.valid + totalRefused(delta.refused);
          continue;
        }
        tally = new Tally(delta.keyId, delta.day);
        this.held.set(id, tally);
      }
      tally.valid += delta.valid;
      for (const code of USAGE_REFUSED_CODES) tally.refused[code] += delta.refused[code];
      tally.lastUsedAt = Math.max(tally.lastUsedAt, delta.lastUsedAt);
    }
  }

  /** A tally for the key on the clock's day; an earlier day's is moved to `held`. Undefined when full. */
  private open(keyId: string, previous: Tally | undefined): Tally | undefined {
    if (previous !== undefined) {
      this.current.delete(keyId);
      this.restore([toDelta(previous)]);
    }
    if (this.size >= this.maxEntries) {
      this.dropped++;
      return undefined;
    }
    const tally = new Tally(keyId, this.clock.day);
    this.current.set(keyId, tally);
    return tally;
  }
}

function toDelta(tally: Tally): UsageDelta {
  const refused = { ...tally.refused };
  return { keyId: tally.keyId, day: tally.day, valid: tally.valid, refused, lastUsedAt: tally.lastUsedAt };
}
