/** Revoke a key: terminal, for every secret, in force for verify when the command returns. */
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { KeyCommandExecutor, type CommandContext, type CommandOutcome } from '../key-command-executor';

export class RevokeKey extends Command<CommandOutcome<null>> {
  constructor(
    readonly accountId: string,
    readonly keyId: string,
    readonly reason: string | null,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(RevokeKey)
export class RevokeKeyHandler implements ICommandHandler<RevokeKey> {
  constructor(@Inject(KeyCommandExecutor) private readonly executor: KeyCommandExecutor) {}

  execute({ accountId, keyId, reason, context }: RevokeKey): Promise<CommandOutcome<null>> {
    return this.executor.execute(keyId, accountId, () => ({ command: { type: 'RevokeKey', reason }, result: null }), context);
  }
}
