/**
 * Binds the configured adapters (libs/composition) into Nest, one narrow token per port the
 * application's handlers depend on (the event store, the validity index, the command pipeline,
 * the signing-key slots, the secret issuer and sealer), and ties the workers to the application's
 * lifecycle. INFRASTRUCTURE (the whole composition) is for the edge only: readiness, start-up.
 */
import { DynamicModule, Global, Inject, Logger, Module, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { AccountHistoryReads, KeyCommandExecutor, SecretIssuer, SecretSealer, SigningKeySlots, UsageReads } from '@cs/application';
import {
  APP_CONFIG,
  createInfrastructure,
  ServiceMetrics,
  type InfrastructureOverrides,
  type AppConfig,
  type Infrastructure,
} from '@cs/composition';
import { EVENT_STORE } from '@cs/event-store';
import { UsageAggregator, VALIDITY_INDEX } from '@cs/validity';
import { INFRASTRUCTURE } from './tokens';

/** Each port the handlers inject, taken from the composition. */
const PORTS: [token: unknown, pick: (infra: Infrastructure) => unknown][] = [
  [EVENT_STORE, (infra) => infra.store],
  [VALIDITY_INDEX, (infra) => infra.index],
  [KeyCommandExecutor, (infra) => infra.executor],
  [SigningKeySlots, (infra) => infra.slots],
  [SecretIssuer, (infra) => infra.issuer],
  [SecretSealer, (infra) => infra.sealer],
  [ServiceMetrics, (infra) => infra.metrics],
  [UsageReads, (infra) => new UsageReads(infra.usage?.store ?? null, infra.config.indexTimeoutMs)],
  [UsageAggregator, (infra) => infra.usage?.aggregator ?? null],
  [AccountHistoryReads, (infra) => infra.historyReads],
];

@Global()
@Module({})
export class InfrastructureModule implements OnApplicationShutdown {
  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}

  static forRoot(config: AppConfig, overrides: InfrastructureOverrides): DynamicModule {
    const logger = new Logger('workers');
    const ports: Provider[] = PORTS.map(([token, pick]) => ({ provide: token as symbol, useFactory: pick, inject: [INFRASTRUCTURE] }));
    return {
      module: InfrastructureModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: INFRASTRUCTURE, useFactory: () => createInfrastructure(config, logger, overrides) },
        ...ports,
      ],
      exports: [APP_CONFIG, INFRASTRUCTURE, ...PORTS.map(([token]) => token as symbol)],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.infra.stop();
  }
}
