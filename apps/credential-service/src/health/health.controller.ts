/**
 * Health for orchestration, without credentials and with nothing secret in the answer:
 *
 * - `GET /health/live`: the process is up and serving HTTP (restart it when this fails);
 * - `GET /health/ready`: the event store answers and the validity index is trusted and caught up
 *   (libs/application readiness(); send traffic only when this is 200); the body gives the index's
 *   state, position, required position and lag;
 * - `GET /health`: the same as /health/ready (kept for existing probes).
 *
 * A 503 here is an answer, not an error: it is not logged as one.
 */
import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { readiness, type Infrastructure } from '@cs/application';
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
    return this.ready();
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      async () => {
        const indicator = this.indicators.check('credentials');
        const { ready, reason, details } = readiness(this.infra);
        return ready ? indicator.up(details) : indicator.down({ ...details, reason });
      },
    ]);
  }

  @Get('live')
  live() {
    return { status: 'ok' };
  }
}
