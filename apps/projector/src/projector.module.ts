/**
 * The projector app: the checkpointed subscription workers on their own (the Redis validity
 * projection, the Kafka relay, the expiry scheduler), with a health endpoint for orchestration.
 * The credential service then runs with WORKERS=none and only serves.
 */
import { Controller, DynamicModule, Get, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { readiness, type Infrastructure } from '@cs/composition';

export const PROJECTOR_INFRASTRUCTURE = Symbol('PROJECTOR_INFRASTRUCTURE');

@Controller('health')
class ProjectorHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(PROJECTOR_INFRASTRUCTURE) private readonly infra: Infrastructure,
  ) {}

  /** Readiness, as the service reports it (libs/application readiness()), plus the workers' figures. */
  @Get()
  @HealthCheck()
  check() {
    return this.ready();
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      async () => {
        const indicator = this.indicators.check('projector');
        const { ready, reason, details } = readiness(this.infra);
        const all = {
          ...details,
          validityCheckpoint: this.infra.projector.checkpoint?.toString() ?? null,
          relay: this.infra.relay.stats(),
          expiredRecorded: this.infra.scheduler.expired,
        };
        return ready ? indicator.up(all) : indicator.down({ ...all, reason });
      },
    ]);
  }

  @Get('live')
  live() {
    return { status: 'ok' };
  }
}

@Module({})
export class ProjectorModule implements OnApplicationShutdown {
  constructor(@Inject(PROJECTOR_INFRASTRUCTURE) private readonly infra: Infrastructure) {}

  static forRoot(infra: Infrastructure): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [ProjectorHealthController],
      providers: [{ provide: PROJECTOR_INFRASTRUCTURE, useValue: infra }],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.infra.stop();
  }
}
