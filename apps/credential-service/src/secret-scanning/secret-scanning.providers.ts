/** The partner key cache and the replay store the configuration names (Redis when the service has it, else memory). */
import { Inject, Injectable, Logger, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@cs/composition';
import { createRedisClient, isCluster, redisKeyNamespace } from '@cs/validity';
import { PartnerKeyCache } from './partner-keys';
import { MemoryReplayGuard, REPLAY_GUARD, RedisReplayGuard, type ReplayGuard } from './replay-guard';

export const SECRET_SCANNING_SETTINGS = Symbol('SECRET_SCANNING_SETTINGS');
export interface SecretScanningSettings {
  replayTtlMs: number;
}

const REDIS_COMMAND_TIMEOUT_MS = 2000;

export function replayGuardFor(config: AppConfig): ReplayGuard {
  if (!config.redis) return new MemoryReplayGuard();
  // Errors reach the partner as 503 SECRET_SCANNING_UNAVAILABLE (it retries); the client's own events say nothing more.
  const client = createRedisClient(config.redis, { commandTimeout: REDIS_COMMAND_TIMEOUT_MS, onError: () => undefined });
  return new RedisReplayGuard(client, redisKeyNamespace(config.redisNamespace, isCluster(client)));
}

export function partnerKeyCacheFor(config: AppConfig): PartnerKeyCache {
  const logger = new Logger('secret-scanning');
  const { keysUrl, keysTtlMs, refetchIntervalMs } = config.secretScanning;
  return new PartnerKeyCache({
    url: keysUrl,
    ttlMs: keysTtlMs,
    refetchIntervalMs,
    // The URL holds no credential (configuration.ts refuses one); the reason is the fetch's own.
    onFetchFailed: (error) => logger.warn(`the partner's public keys could not be fetched from ${keysUrl}: ${error.message}`),
  });
}

@Injectable()
export class ReplayGuardCloser implements OnApplicationShutdown {
  constructor(@Inject(REPLAY_GUARD) private readonly guard: ReplayGuard) {}
  async onApplicationShutdown(): Promise<void> {
    await this.guard.close();
  }
}

export const SECRET_SCANNING_PROVIDERS: Provider[] = [
  { provide: REPLAY_GUARD, useFactory: replayGuardFor, inject: [APP_CONFIG] },
  { provide: PartnerKeyCache, useFactory: partnerKeyCacheFor, inject: [APP_CONFIG] },
  {
    provide: SECRET_SCANNING_SETTINGS,
    useFactory: (config: AppConfig) => ({ replayTtlMs: config.secretScanning.replayTtlMs }),
    inject: [APP_CONFIG],
  },
  ReplayGuardCloser,
];
