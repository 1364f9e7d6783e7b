/** Update a key's name, IP allow-list or webhook format. */
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { WebhookFormat } from '@cs/domain';
import { KeyCommandExecutor, type CommandContext, type CommandOutcome } from '../key-command-executor';

export interface KeyChanges {
  name?: string;
  allowedIps?: string[];
  webhookFormat?: WebhookFormat;
  /** The whole new list; [] makes the key unrestricted. */
  permissions?: string[];
  /** The whole new object (replaced, not merged); {} removes it. */
  metadata?: Record<string, unknown>;
  /** '' removes it. */
  externalId?: string;
  /** Publishable keys only: the whole new list, never empty. */
  allowedOrigins?: string[];
}

export class UpdateKey extends Command<CommandOutcome<null>> {
  constructor(
    readonly accountId: string,
    readonly keyId: string,
    readonly changes: KeyChanges,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(UpdateKey)
export class UpdateKeyHandler implements ICommandHandler<UpdateKey> {
  constructor(@Inject(KeyCommandExecutor) private readonly executor: KeyCommandExecutor) {}

  execute({ accountId, keyId, changes, context }: UpdateKey): Promise<CommandOutcome<null>> {
    return this.executor.execute(keyId, accountId, () => ({ command: { type: 'UpdateKey', changes }, result: null }), context);
  }
}
