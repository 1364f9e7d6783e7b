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
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { LiveAnswer, ReadyAnswer } from '../http/answers';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { readiness, type Infrastructure } from '@cs/composition';
import { notReady } from '../http/problem';
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
  @ApiOperation({ operationId: 'health', summary: 'The same as /health/ready' })
  @ApiOkResponse({ type: ReadyAnswer })
  check() {
    return this.ready();
  }

  /** 200 in Terminus's shape; 503 is a NOT_READY problem (with Retry-After) carrying the same details. */
  @Get('ready')
  @HealthCheck()
  @ApiOperation({ operationId: 'healthReady', summary: 'Ready: the event store answers and the validity index is trusted and caught up' })
  @ApiOkResponse({ type: ReadyAnswer })
  ready() {
    const { ready, reason, details } = readiness(this.infra);
    if (!ready) {
      throw notReady(reason ?? 'not ready', { details: { credentials: details } });
    }
    return this.health.check([async () => this.indicators.check('credentials').up(details)]);
  }

  @Get('live')
  @ApiOperation({ operationId: 'healthLive', summary: 'Live: the process is up and serving HTTP' })
  @ApiOkResponse({ type: LiveAnswer })
  live() {
    return { status: 'ok' };
  }
}
