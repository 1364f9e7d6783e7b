/**
 * Management commands on the CQRS command bus. Each handler is short: build the domain command
 * from the folded state (new secrets need the next version), run the shared pipeline, shape the
 * answer. Secrets leave only in the returned `result`, never through events or logs.
 */
import { Inject } from '@nestjs/common';
import { CommandHandler } from '@nestjs/cqrs';
import { newKeyId, SigningKeySlots, type CommandContext, type CommandOutcome } from '@cs/application';
import { type Infrastructure } from '@cs/composition';
import { MAX_ACTIVE_SIGNING_KEYS, type KeyKind, type SecretSlot, type SecretState, type WebhookFormat } from '@cs/domain';
import { MAX_SIGNATURES } from '@cs/signature';
import { INFRASTRUCTURE } from '../infrastructure/tokens';

export class GenerateKeyCommand {
  constructor(
    readonly accountId: string,
    readonly input: { kind: KeyKind; name?: string; allowedIps?: string[]; webhookFormat?: WebhookFormat },
    readonly context: CommandContext,
  ) {}
}

export class RegenerateKeyCommand {
  constructor(readonly accountId: string, readonly keyId: string, readonly oldSecretExpiresAt: Date, readonly context: CommandContext) {}
}

export class SetExpiryCommand {
  constructor(readonly accountId: string, readonly keyId: string, readonly slot: SecretSlot, readonly expiresAt: Date | null, readonly context: CommandContext) {}
}

export class RevealKeyCommand {
  constructor(readonly accountId: string, readonly keyId: string, readonly slot: SecretSlot, readonly context: CommandContext) {}
}

export class UpdateKeyCommand {
  constructor(
    readonly accountId: string,
    readonly keyId: string,
    readonly changes: { name?: string; allowedIps?: string[]; webhookFormat?: WebhookFormat },
    readonly context: CommandContext,
  ) {}
}

export class RevokeKeyCommand {
  constructor(readonly accountId: string, readonly keyId: string, readonly reason: string | null, readonly context: CommandContext) {}
}

const DEFAULT_NAMES: Record<KeyKind, string> = { api: 'API key', signing: 'Signing key' };

/**
 * The cap is a domain rule (account.decider.ts), enforced on the write side; with a grace period
 * each, those keys give at most MAX_SIGNATURES signatures per header.
 */
export const MAX_SIGNING_KEYS = MAX_ACTIVE_SIGNING_KEYS;
if (MAX_SIGNING_KEYS * 2 > MAX_SIGNATURES) throw new Error(`${MAX_SIGNING_KEYS} signing keys could need more than ${MAX_SIGNATURES} signatures per header`);

abstract class KeyCommandHandler<C, T> {
  private signingKeySlots?: SigningKeySlots;
  constructor(@Inject(INFRASTRUCTURE) protected readonly infra: Infrastructure) {}
  abstract execute(command: C): Promise<CommandOutcome<T>>;

  /**
   * The pipeline for commands that may bring a signing key to life (generate, regenerate): it takes
   * a slot on the account's stream under optimistic concurrency before the key command runs, so
   * the cap holds across concurrent requests and instances; anything else passes straight through.
   */
  protected get slots(): SigningKeySlots {
    this.signingKeySlots ??= new SigningKeySlots(this.infra.store, this.infra.executor, {
      // Adopted once per account, when its slot stream is created: keys generated before the stream.
      existingSigningKeyIds: async (accountId) =>
        (await this.infra.index.listKeys(accountId)).filter((k) => k.kind === 'signing' && k.status !== 'revoked').map((k) => k.keyId),
    });
    return this.signingKeySlots;
  }
}

@CommandHandler(GenerateKeyCommand)
export class GenerateKeyHandler extends KeyCommandHandler<GenerateKeyCommand, string> {
  async execute({ accountId, input, context }: GenerateKeyCommand): Promise<CommandOutcome<string>> {
    const keyId = newKeyId();
    return this.slots.execute(
      keyId,
      accountId,
      () => {
        const issued = this.infra.issuer.issue(input.kind, keyId, 1);
        return {
          command: {
            type: 'GenerateKey',
            keyId,
            accountId,
            kind: input.kind,
            name: input.name ?? DEFAULT_NAMES[input.kind],
            allowedIps: input.allowedIps ?? [],
            webhookFormat: input.webhookFormat ?? 'single',
            secret: issued.material,
          },
          result: issued.secret,
        };
      },
      context,
    );
  }
}

@CommandHandler(RegenerateKeyCommand)
export class RegenerateKeyHandler extends KeyCommandHandler<RegenerateKeyCommand, string> {
  execute({ accountId, keyId, oldSecretExpiresAt, context }: RegenerateKeyCommand): Promise<CommandOutcome<string>> {
    // An expired signing key that comes back to life takes a slot again.
    return this.slots.execute(
      keyId,
      accountId,
      (state) => {
        const kind = state.status === 'absent' ? 'api' : state.props.kind;
        const version = state.status === 'absent' ? 1 : state.current.version + 1;
        const issued = this.infra.issuer.issue(kind, keyId, version);
        return { command: { type: 'RegenerateKey', oldSecretExpiresAt, secret: issued.material }, result: issued.secret };
      },
      context,
    );
  }
}

@CommandHandler(SetExpiryCommand)
export class SetExpiryHandler extends KeyCommandHandler<SetExpiryCommand, null> {
  execute({ accountId, keyId, slot, expiresAt, context }: SetExpiryCommand): Promise<CommandOutcome<null>> {
    return this.infra.executor.execute(keyId, accountId, () => ({ command: { type: 'SetExpiry', slot, expiresAt }, result: null }), context);
  }
}

@CommandHandler(RevealKeyCommand)
export class RevealKeyHandler extends KeyCommandHandler<RevealKeyCommand, string> {
  async execute({ accountId, keyId, slot, context }: RevealKeyCommand): Promise<CommandOutcome<string>> {
    // The builder hands back the secret it is about to reveal: the one in the state the decider saw.
    const outcome = await this.infra.executor.execute<SecretState | null>(
      keyId,
      accountId,
      (state) => ({
        command: { type: 'RevealKey', slot },
        result: state.status === 'absent' ? null : slot === 'current' ? state.current : state.status === 'active' ? state.previous : null,
      }),
      context,
    );
    if (!outcome.ok) return outcome;
    // The decider refuses a reveal of a secret that is not there, so an accepted one always has it.
    if (!outcome.result) throw new Error(`reveal accepted without a ${slot} secret for ${keyId}`);
    // Opened only after KeyRevealed is recorded: no reveal without its audit event.
    const { sealed, version } = outcome.result;
    return { ...outcome, result: this.infra.sealer.open(sealed, { keyId, secretVersion: version }) };
  }
}

@CommandHandler(UpdateKeyCommand)
export class UpdateKeyHandler extends KeyCommandHandler<UpdateKeyCommand, null> {
  execute({ accountId, keyId, changes, context }: UpdateKeyCommand): Promise<CommandOutcome<null>> {
    return this.infra.executor.execute(keyId, accountId, () => ({ command: { type: 'UpdateKey', changes }, result: null }), context);
  }
}

@CommandHandler(RevokeKeyCommand)
export class RevokeKeyHandler extends KeyCommandHandler<RevokeKeyCommand, null> {
  execute({ accountId, keyId, reason, context }: RevokeKeyCommand): Promise<CommandOutcome<null>> {
    return this.infra.executor.execute(keyId, accountId, () => ({ command: { type: 'RevokeKey', reason }, result: null }), context);
  }
}

export const KEY_COMMAND_HANDLERS = [GenerateKeyHandler, RegenerateKeyHandler, SetExpiryHandler, RevealKeyHandler, UpdateKeyHandler, RevokeKeyHandler];
