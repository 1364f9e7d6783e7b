/**
 * Suspend and resume a key: a reversible stop, in force for verify (SUSPENDED) and signing (left
 * out) when the command returns. The rules are the decider's (libs/domain/src/suspension.decider.ts).
 */
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { KeyCommandExecutor, type CommandContext, type CommandOutcome } from '../key-command-executor';

export class SuspendKey extends Command<CommandOutcome<null>> {
  constructor(
    readonly accountId: string,
    readonly keyId: string,
    readonly reason: string | null,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(SuspendKey)
export class SuspendKeyHandler implements ICommandHandler<SuspendKey> {
  constructor(@Inject(KeyCommandExecutor) private readonly executor: KeyCommandExecutor) {}

  execute({ accountId, keyId, reason, context }: SuspendKey): Promise<CommandOutcome<null>> {
    return this.executor.execute(keyId, accountId, () => ({ command: { type: 'SuspendKey', reason }, result: null }), context);
  }
}

export class ResumeKey extends Command<CommandOutcome<null>> {
  constructor(
    readonly accountId: string,
    readonly keyId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(ResumeKey)
export class ResumeKeyHandler implements ICommandHandler<ResumeKey> {
  constructor(@Inject(KeyCommandExecutor) private readonly executor: KeyCommandExecutor) {}

  execute({ accountId, keyId, context }: ResumeKey): Promise<CommandOutcome<null>> {
    return this.executor.execute(keyId, accountId, () => ({ command: { type: 'ResumeKey' }, result: null }), context);
  }
}
