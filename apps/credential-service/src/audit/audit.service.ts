/**
 * The hash chain check for the admin route: one pass at a time per process (callers that arrive while
 * one runs get its report), over readAll in constant memory, giving the event loop a turn every few
 * hundred events so the service keeps answering meanwhile.
 */
import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, verifyChains, type ChainReport, type EventStore } from '@cs/event-store';

@Injectable()
export class AuditService {
  private running: Promise<ChainReport> | null = null;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  verify(): Promise<ChainReport> {
    this.running ??= verifyChains(this.store, { yieldEvery: 500 }).finally(() => (this.running = null));
    return this.running;
  }
}
