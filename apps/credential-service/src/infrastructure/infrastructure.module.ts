/**
 * Binds the configured adapters (libs/application's composition) into Nest by token, and ties
 * their workers to the application's lifecycle.
 */
import { DynamicModule, Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, createInfrastructure, type InfrastructureOverrides, type AppConfig, type Infrastructure } from '@cs/composition';
import { INFRASTRUCTURE } from './tokens';

@Global()
@Module({})
export class InfrastructureModule implements OnApplicationShutdown {
  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}

  static forRoot(config: AppConfig, overrides: InfrastructureOverrides): DynamicModule {
    const logger = new Logger('workers');
    return {
      module: InfrastructureModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: INFRASTRUCTURE, useFactory: () => createInfrastructure(config, logger, overrides) },
      ],
      exports: [APP_CONFIG, INFRASTRUCTURE],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.infra.stop();
  }
}
