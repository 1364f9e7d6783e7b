import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { TerminusModule } from '@nestjs/terminus';
import type { AdapterFactories, AppConfig } from '@cs/application';
import { ActorGuard, ServiceTokenGuard } from './auth/guards';
import { JwtVerifier } from './auth/jwt-verifier';
import { HealthController } from './health/health.controller';
import { ProblemFilter } from './http/problem.filter';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { KEY_COMMAND_HANDLERS } from './keys/key-commands';
import { KEY_QUERY_HANDLERS } from './keys/key-queries';
import { KeysController } from './keys/keys.controller';
import { SignaturesController } from './signing/signatures.controller';
import { SigningService } from './signing/signing.service';
import { VerifyController } from './verify/verify.controller';
import { VerifyService } from './verify/verify.service';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, factories: AdapterFactories): DynamicModule {
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot(), TerminusModule.forRoot({ logger: false }), InfrastructureModule.forRoot(config, factories)],
      controllers: [KeysController, VerifyController, SignaturesController, HealthController],
      providers: [
        JwtVerifier,
        ActorGuard,
        ServiceTokenGuard,
        VerifyService,
        SigningService,
        ...KEY_COMMAND_HANDLERS,
        ...KEY_QUERY_HANDLERS,
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
