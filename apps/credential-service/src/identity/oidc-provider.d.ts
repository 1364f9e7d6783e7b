/**
 * The part of oidc-provider 9's API this service uses (the package ships no type definitions, and
 * @types/oidc-provider is not a dependency). See https://github.com/panva/node-oidc-provider/tree/main/docs
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface KoaContextWithOIDC {
    method: string;
    path: string;
    status: number;
    type: string;
    body: unknown;
    req: IncomingMessage;
    res: ServerResponse;
    ip: string;
    set(field: string, value: string): void;
    redirect(url: string): void;
    oidc: {
      client?: { clientId: string };
      session?: { accountId?: string; loginTs?: number; grantIdFor(clientId: string): string | undefined };
      result?: { consent?: { grantId?: string }; login?: unknown };
      entities: {
        AuthorizationCode?: { authTime?: number };
        RefreshToken?: { authTime?: number };
      };
      provider: Provider;
    };
  }

  export type Middleware = (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>;

  export interface Interaction {
    uid: string;
    returnTo: string;
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    params: Record<string, unknown>;
    session?: { accountId?: string; uid?: string };
  }

  export interface GrantInstance {
    addOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  export interface AccessTokenLike {
    kind: string;
    accountId?: string;
  }

  export interface Account {
    accountId: string;
    claims(use: string, scope: string): Promise<Record<string, unknown>> | Record<string, unknown>;
  }

  export interface Configuration {
    [option: string]: unknown;
  }

  export class Provider {
    constructor(issuer: string, configuration: Configuration);
    readonly issuer: string;
    proxy: boolean;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    use(middleware: Middleware): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionResult(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: object): Promise<string>;
    Grant: {
      new (properties: { clientId: string; accountId: string }): GrantInstance;
      find(id: string): Promise<GrantInstance | undefined>;
    };
  }

  export class Check {
    constructor(reason: string, description: string, error: string, check: (ctx: KoaContextWithOIDC) => boolean | Promise<boolean>);
  }

  export interface Policy {
    get(name: string): { checks: Check[] };
  }

  export const interactionPolicy: { base(): Policy; Check: typeof Check };

  export const errors: {
    InvalidTarget: new (description?: string) => Error;
    SessionNotFound: new (description?: string) => Error;
  };

  export default Provider;
}

declare module 'oidc-provider/lib/adapters/memory_adapter.js' {
  /** A factory of the in-memory adapter over a store of its own (oidc-provider's quick-start adapter). */
  export function createMemoryAdapter(clockTolerance?: number): (model: string) => unknown;
}
