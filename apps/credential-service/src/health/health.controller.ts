/**
 * Readiness: 200 once the store is open and the read model has caught up, 503 before and while
 * shutting down. No credentials; nothing secret in the answer.
 */
import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Infrastructure } from '@cs/application';
import { INFRASTRUCTURE } from '../infrastructure/tokens';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(INFRASTRUCTURE) private readonly infra: Infrastructure,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      async () => {
        const indicator = this.indicators.check('credentials');
        const details = {
          eventStore: this.infra.mode.eventStore,
          validityIndex: this.infra.mode.validityIndex,
          notifications: this.infra.mode.notifications,
          projectionCheckpoint: this.infra.projector.checkpoint?.toString() ?? null,
        };
        return this.infra.ready ? indicator.up(details) : indicator.down({ ...details, reason: 'starting or stopping' });
      },
    ]);
  }
}
