/**
 * Every command the transports put on the command bus is timed, counted by type and outcome, and
 * (with tracing on) run in a span named after it: one place for the six key commands on both
 * transports. The expiry scheduler's ExpireSecret, which does not use the bus, goes through the same
 * observer (libs/composition infrastructure.ts).
 */
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ServiceMetrics } from '@cs/composition';

@Injectable()
export class CommandTelemetry implements OnModuleInit {
  constructor(
    private readonly bus: CommandBus,
    @Inject(ServiceMetrics) private readonly metrics: ServiceMetrics,
  ) {}

  onModuleInit(): void {
    const execute = this.bus.execute.bind(this.bus) as (command: object, context?: unknown) => Promise<unknown>;
    const observer = this.metrics.commandObserver;
    // The command's class name (GenerateKey, RevokeKey, …): a fixed set, never anything from the request.
    const observed = (command: object, context?: unknown): Promise<unknown> =>
      observer.observe(command.constructor.name, () => execute(command, context));
    this.bus.execute = observed;
  }
}
