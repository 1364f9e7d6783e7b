/** Reveal a secret again (step-up at the edge): recorded as KeyRevealed before the secret is opened. */
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { SecretSlot, SecretState } from '@cs/domain';
import { KeyCommandExecutor, type CommandContext, type CommandOutcome } from '../key-command-executor';
import { SecretSealer } from '../secret-sealer';

export class RevealKey extends Command<CommandOutcome<string>> {
  constructor(
    readonly accountId: string,
    readonly keyId: string,
    readonly slot: SecretSlot,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(RevealKey)
export class RevealKeyHandler implements ICommandHandler<RevealKey> {
  constructor(
    @Inject(KeyCommandExecutor) private readonly executor: KeyCommandExecutor,
    @Inject(SecretSealer) private readonly sealer: SecretSealer,
  ) {}

  async execute({ accountId, keyId, slot, context }: RevealKey): Promise<CommandOutcome<string>> {
    // The builder hands back the secret it is about to reveal: the one in the state the decider saw.
    const outcome = await this.executor.execute<SecretState | null>(
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
    return { ...outcome, result: this.sealer.open(sealed, { keyId, secretVersion: version }) };
  }
}
