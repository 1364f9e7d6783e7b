/**
 * The key use cases, one file each: a typed command (or query) and its handler, on @nestjs/cqrs's
 * buses. Transports (HTTP, gRPC) build these and execute them; nothing here knows a transport.
 * Adding a command: docs/recipes.md.
 */
import { GenerateKeyHandler } from './generate-key';
import { AccountHistoryHandler } from '../history/account-history';
import { GetKeyHandler, KeyHistoryHandler, KeyValidityAtHandler } from './key-queries';
import { ListKeysPageHandler } from './list-keys-page';
import { RegenerateKeyHandler } from './regenerate-key';
import { RevealKeyHandler } from './reveal-key';
import { RevokeKeyHandler } from './revoke-key';
import { SetExpiryHandler } from './set-expiry';
import { ResumeKeyHandler, SuspendKeyHandler } from './suspend-key';
import { UpdateKeyHandler } from './update-key';

export * from './generate-key';
export * from './regenerate-key';
export * from './set-expiry';
export * from './reveal-key';
export * from './update-key';
export * from './revoke-key';
export * from './key-queries';
export * from './suspend-key';
export * from './list-keys-page';

export const KEY_COMMAND_HANDLERS = [
  GenerateKeyHandler,
  RegenerateKeyHandler,
  SetExpiryHandler,
  RevealKeyHandler,
  UpdateKeyHandler,
  RevokeKeyHandler,
  SuspendKeyHandler,
  ResumeKeyHandler,
];
export const KEY_QUERY_HANDLERS = [GetKeyHandler, KeyHistoryHandler, KeyValidityAtHandler, AccountHistoryHandler, ListKeysPageHandler];
