/** Generate a key: a new key id, its first secret (shown once), and for a signing key a slot under the cap. */
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { nextSecretVersion, type KeyKind, type SigningAlgorithm, type SigningScheme, type WebhookFormat } from '@cs/domain';
import type { CommandContext, CommandOutcome } from '../key-command-executor';
import { newKeyId, SecretIssuer } from '../secret-issuer';
import { SigningKeySlots } from '../signing-key-slots';

export interface GenerateKeyInput {
  kind: KeyKind;
  name?: string;
  allowedIps?: string[];
  webhookFormat?: WebhookFormat;
  permissions?: string[];
  metadata?: Record<string, unknown>;
  externalId?: string;
  allowedOrigins?: string[];
  /** Signing keys only; absent: 'stripe'. */
  scheme?: SigningScheme;
  /** Signing keys only; absent: 'hmac-sha256' (ed25519 needs scheme 'standard-webhooks'). */
  algorithm?: SigningAlgorithm;
}

const DEFAULT_NAMES: Record<KeyKind, string> = { api: 'API key', signing: 'Signing key', publishable: 'Publishable key' };

/** Answers with the new secret: the only time it leaves the service unasked. */
export class GenerateKey extends Command<CommandOutcome<string>> {
  constructor(
    readonly accountId: string,
    readonly input: GenerateKeyInput,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(GenerateKey)
export class GenerateKeyHandler implements ICommandHandler<GenerateKey> {
  constructor(
    @Inject(SigningKeySlots) private readonly slots: SigningKeySlots,
    @Inject(SecretIssuer) private readonly issuer: SecretIssuer,
  ) {}

  execute({ accountId, input, context }: GenerateKey): Promise<CommandOutcome<string>> {
    const keyId = newKeyId();
    return this.slots.execute(
      keyId,
      accountId,
      (state) => {
        // Another kind with a scheme is refused by the decider (SCHEME_NOT_APPLICABLE): issue as the kind says.
        const issued = this.issuer.issue(input.kind, keyId, nextSecretVersion(state), input);
        return {
          command: {
            type: 'GenerateKey',
            keyId,
            accountId,
            kind: input.kind,
            name: input.name ?? DEFAULT_NAMES[input.kind],
            allowedIps: input.allowedIps ?? [],
            webhookFormat: input.webhookFormat ?? 'single',
            permissions: input.permissions,
            metadata: input.metadata,
            externalId: input.externalId,
            allowedOrigins: input.allowedOrigins,
            scheme: input.scheme,
            algorithm: input.algorithm,
            secret: issued.material,
          },
          result: issued.secret,
        };
      },
      context,
    );
  }
}
