/** Why a call was rejected as a programming or configuration mistake (never for a bad header or a
 *  bad signature: those are results, see `VerifyResult` and `ParseResult`). */
export type SignatureErrorCode =
  | 'NO_SECRETS'
  | 'TOO_MANY_SECRETS'
  | 'INVALID_SECRET'
  | 'INVALID_TIMESTAMP'
  | 'INVALID_NOW'
  | 'INVALID_TOLERANCE'
  | 'INVALID_PAYLOAD'
  /** Standard Webhooks: a `webhookId` that is empty, too long, or has `.`, `,`, spaces or non-ASCII. */
  | 'INVALID_WEBHOOK_ID'
  /** Standard Webhooks: `headers` is not an object. */
  | 'INVALID_HEADERS';

/** Thrown for misuse: no secrets when signing, a timestamp that is not unix seconds, a negative or
 *  non-finite tolerance, a payload that is neither a string nor bytes (e.g. a parsed JSON object). */
export class SignatureError extends Error {
  constructor(
    readonly code: SignatureErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SignatureError';
  }
}
