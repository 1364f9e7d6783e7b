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
