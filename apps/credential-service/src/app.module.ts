import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { TerminusModule } from '@nestjs/terminus';
import {
  KEY_COMMAND_HANDLERS,
  KEY_QUERY_HANDLERS,
  LEAK_COMMAND_HANDLERS,
  LEAK_QUERY_HANDLERS,
  USAGE_QUERY_HANDLERS,
} from '@cs/application';
import type { InfrastructureOverrides, AppConfig } from '@cs/composition';
import { AuditController } from './audit/audit.controller';
import { AuditService } from './audit/audit.service';
import { ActorGuard, ServiceTokenGuard } from './auth/guards';
import { JwtVerifier } from './auth/jwt-verifier';
import { GRPC_CONTROLLERS, GRPC_PROVIDERS } from './grpc/grpc-server';
import { HealthController } from './health/health.controller';
import { ProblemFilter } from './http/problem.filter';
import { IDEMPOTENCY_PROVIDERS } from './idempotency/idempotency.providers';
import { CommandTelemetry } from './observability/command-telemetry';
import { RateLimits } from './rate-limit/rate-limits';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { AccountEventsController } from './keys/events.controller';
import { KeySuspensionController } from './keys/key-suspension.controller';
import { AccountHistoryController, KeysController } from './keys/keys.controller';
import { LeakPolicyController } from './secret-scanning/leak-policy.controller';
import { SecretScanningController } from './secret-scanning/secret-scanning.controller';
import { SECRET_SCANNING_PROVIDERS } from './secret-scanning/secret-scanning.providers';
import { JwksController } from './signing/jwks.controller';
import { SignaturesController } from './signing/signatures.controller';
import { AccountUsageController, KeyUsageController } from './usage/usage.controller';
import { SigningService } from './signing/signing.service';
import { VerifyController } from './verify/verify.controller';
import { VerifyService } from './verify/verify.service';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, overrides: InfrastructureOverrides): DynamicModule {
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot(), TerminusModule.forRoot({ logger: false }), InfrastructureModule.forRoot(config, overrides)],
      controllers: [
        KeysController,
        KeySuspensionController,
        AccountHistoryController,
        AccountEventsController,
        KeyUsageController,
        AccountUsageController,
        VerifyController,
        SignaturesController,
        SecretScanningController,
        LeakPolicyController,
        JwksController,
        AuditController,
        HealthController,
        ...GRPC_CONTROLLERS,
      ],
      providers: [
        JwtVerifier,
        ActorGuard,
        ServiceTokenGuard,
        RateLimits,
        CommandTelemetry,
        VerifyService,
        SigningService,
        AuditService,
        ...GRPC_PROVIDERS,
        ...KEY_COMMAND_HANDLERS,
        ...KEY_QUERY_HANDLERS,
        ...IDEMPOTENCY_PROVIDERS,
        ...USAGE_QUERY_HANDLERS,
        ...LEAK_COMMAND_HANDLERS,
        ...LEAK_QUERY_HANDLERS,
        ...SECRET_SCANNING_PROVIDERS,
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
