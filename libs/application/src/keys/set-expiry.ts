/** Set (or clear) the expiry of the current secret, or of the previous one during a grace period. */
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { SecretSlot } from '@cs/domain';
import { KeyCommandExecutor, type CommandContext, type CommandOutcome } from '../key-command-executor';

export class SetExpiry extends Command<CommandOutcome<null>> {
  constructor(
    readonly accountId: string,
    readonly keyId: string,
    readonly slot: SecretSlot,
    readonly expiresAt: Date | null,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(SetExpiry)
export class SetExpiryHandler implements ICommandHandler<SetExpiry> {
  constructor(@Inject(KeyCommandExecutor) private readonly executor: KeyCommandExecutor) {}

  execute({ accountId, keyId, slot, expiresAt, context }: SetExpiry): Promise<CommandOutcome<null>> {
    return this.executor.execute(keyId, accountId, () => ({ command: { type: 'SetExpiry', slot, expiresAt }, result: null }), context);
  }
}
