export { SignatureError } from './errors';
export type { SignatureErrorCode } from './errors';
export {
  DEFAULT_TOLERANCE_SECONDS,
  MAX_HEADER_LENGTH,
  MAX_SIGNATURES,
  MAX_TIMESTAMP_SECONDS,
  SIGNATURE_SCHEME,
  parseSignatureHeader,
} from './header';
export type { MalformedHeaderReason, MalformedSignatureHeader, ParseResult, ParsedSignatureHeader } from './header';
export { computeSignature, signPayload } from './sign';
export type { Payload, SignPayloadInput } from './sign';
export { verifySignatureHeader } from './verify';
export type { VerifyFailureCode, VerifyResult, VerifySignatureInput } from './verify';
export {
  ED25519_PRIVATE_KEY_PREFIX,
  ED25519_PUBLIC_KEY_PREFIX,
  MAX_WEBHOOK_ID_LENGTH,
  MAX_WEBHOOK_SECRET_BYTES,
  MIN_WEBHOOK_SECRET_BYTES,
  WEBHOOK_SECRET_PREFIX,
  computeStandardWebhookSignature,
  ed25519Jwk,
  ed25519PublicKeyFromJwk,
  ed25519PublicKeyOf,
  parseWebhookSignatureHeader,
  signStandardWebhook,
  verifyStandardWebhook,
} from './standard-webhooks';
export type {
  Ed25519Jwk,
  ParsedWebhookSignatures,
  SignStandardWebhookInput,
  StandardWebhookHeaders,
  StandardWebhookMalformedReason,
  StandardWebhookSignatureVersion,
  StandardWebhookVerifyResult,
  VerifyStandardWebhookInput,
  WebhookSignatureParseResult,
} from './standard-webhooks';
