/** Regenerate a key: a new secret now; the old one stays valid until the instant chosen for it. */
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { nextSecretVersion, parseIsoDuration } from '@cs/domain';
import type { CommandContext, CommandOutcome } from '../key-command-executor';
import { SecretIssuer } from '../secret-issuer';
import { SigningKeySlots } from '../signing-key-slots';

export class RegenerateKey extends Command<CommandOutcome<string>> {
  constructor(
    readonly accountId: string,
    readonly keyId: string,
    readonly oldSecretExpiresAt: Date,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/** When the old secret should expire, as a caller says it: `now`, an ISO-8601 duration from now, or an instant. */
export interface OldSecretExpiryInput {
  oldKeyExpiresIn?: string;
  oldKeyExpiresAt?: string;
}

export type OldSecretExpiry = { ok: true; expiresAt: Date } | { ok: false; field: 'oldKeyExpiresIn'; detail: string; message: string };

/** Resolves a regenerate's choice for the old secret to an instant (API: now, a duration, or a time). */
export function oldSecretExpiry(input: OldSecretExpiryInput, now: number): OldSecretExpiry {
  if (input.oldKeyExpiresIn !== undefined && input.oldKeyExpiresAt !== undefined) {
    return { ok: false, field: 'oldKeyExpiresIn', detail: 'give either oldKeyExpiresIn or oldKeyExpiresAt, not both', message: 'not both' };
  }
  if (input.oldKeyExpiresAt !== undefined) return { ok: true, expiresAt: new Date(input.oldKeyExpiresAt) };
  if (input.oldKeyExpiresIn === 'now') return { ok: true, expiresAt: new Date(now) };
  const duration = parseIsoDuration(input.oldKeyExpiresIn as string);
  if (!duration.ok) return { ok: false, field: 'oldKeyExpiresIn', detail: `oldKeyExpiresIn ${duration.error}`, message: duration.error };
  return { ok: true, expiresAt: new Date(now + duration.milliseconds) };
}

@CommandHandler(RegenerateKey)
export class RegenerateKeyHandler implements ICommandHandler<RegenerateKey> {
  constructor(
    @Inject(SigningKeySlots) private readonly slots: SigningKeySlots,
    @Inject(SecretIssuer) private readonly issuer: SecretIssuer,
  ) {}

  execute({ accountId, keyId, oldSecretExpiresAt, context }: RegenerateKey): Promise<CommandOutcome<string>> {
    // An expired signing key that comes back to life takes a slot again.
    return this.slots.execute(
      keyId,
      accountId,
      (state) => {
        const kind = state.status === 'absent' ? 'api' : state.props.kind;
        // Sealed for the version the decider will record: one rule for both. A regenerate keeps the
        // key's scheme and algorithm (a Standard Webhooks key gets a new whsec_ or Ed25519 key pair).
        const profile = state.status === 'absent' ? {} : { scheme: state.props.scheme, algorithm: state.props.algorithm };
        const issued = this.issuer.issue(kind, keyId, nextSecretVersion(state), profile);
        return { command: { type: 'RegenerateKey', oldSecretExpiresAt, secret: issued.material }, result: issued.secret };
      },
      context,
    );
  }
}
