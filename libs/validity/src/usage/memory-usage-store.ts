/** UsageStore in memory: for the app run fully in memory (tests). */
import {
  dailyUsage,
  emptyRefused,
  epochDay,
  USAGE_RETENTION_DAYS,
  type DailyUsage,
  type UsageDelta,
  type UsageRefusedCode,
  type UsageStore,
} from './usage.port';

interface Day {
  valid: number;
  refused: Record<UsageRefusedCode, number>;
}

export class MemoryUsageStore implements UsageStore {
  private readonly days = new Map<string, Map<number, Day>>();
  private readonly last = new Map<string, number>();
  private readonly batches = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  async apply(deltas: readonly UsageDelta[], batchId?: string): Promise<void> {
    if (batchId !== undefined) {
      if (this.batches.has(batchId)) return;
      this.batches.add(batchId);
    }
    const oldest = epochDay(this.now()) - USAGE_RETENTION_DAYS;
    for (const delta of deltas) {
      if (delta.day < oldest) continue;
      let days = this.days.get(delta.keyId);
      if (!days) this.days.set(delta.keyId, (days = new Map<number, Day>()));
      let day = days.get(delta.day);
      if (!day) days.set(delta.day, (day = { valid: 0, refused: emptyRefused() }));
      day.valid += delta.valid;
      for (const code of Object.keys(day.refused) as UsageRefusedCode[]) day.refused[code] += delta.refused[code];
      this.last.set(delta.keyId, Math.max(this.last.get(delta.keyId) ?? 0, delta.lastUsedAt));
    }
  }

  async lastUsed(keyIds: readonly string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    for (const keyId of keyIds) {
      const at = this.last.get(keyId);
      if (at !== undefined) found.set(keyId, at);
    }
    return found;
  }

  async daily(keyId: string, fromDay: number, toDay: number): Promise<DailyUsage[]> {
    const days = this.days.get(keyId);
    if (!days) return [];
    return [...days.entries()]
      .filter(([day]) => day >= fromDay && day <= toDay)
      .sort(([a], [b]) => a - b)
      .map(([day, counts]) => dailyUsage(day, counts.valid, { ...counts.refused }));
  }

  async close(): Promise<void> {}
}
