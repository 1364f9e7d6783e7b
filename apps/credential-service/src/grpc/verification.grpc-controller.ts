/**
 * gRPC transport of the internal calls (credentials.v1.VerificationService): the service token,
 * then VerifyService and SigningService exactly as the HTTP controllers use them. Answers about a
 * key or a signature are data; only malformed requests are errors.
 */
import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { Metadata, status as Status } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import { badRequest } from '../http/problem';
import { checkSignScheme, checkVerifyScheme, SignDto, VerifySignatureDto } from '../signing/signatures.dto';
import { SigningService } from '../signing/signing.service';
import { VerifyService } from '../verify/verify.service';
import { GrpcAccess } from './grpc-access';
import { GrpcExceptionFilter, grpcStatus } from './grpc-status';
import type { VerifyResult } from '@cs/validity';
import { enumValue, jsonStruct, keyKindName, KEY_KINDS, SIGNING_SCHEMES, validated, webhookFormatName } from './proto-mapping';
import type {
  SignRequest,
  SignResponse,
  VerifyKeyRequest,
  VerifyKeyResponse,
  VerifySignatureRequest,
  VerifySignatureResponse,
} from './proto-types';

const SERVICE = 'VerificationService';

/** proto3 cannot tell an empty string from a missing one: a required text field must be non-empty. */
function required(field: string, value: string | undefined): string {
  if (value === undefined || value === '') throw badRequest(`${field} is required`, [{ field, message: `${field} is required` }]);
  return value;
}

/** The answer's permissions, metadata, external id and webhook format, when the verdict carries them (VALID, INSUFFICIENT_PERMISSIONS). */
function verifyScopesMessage(result: VerifyResult): Partial<VerifyKeyResponse> {
  if (!result.permissions) return {};
  return {
    permissions: result.permissions,
    metadata: jsonStruct(result.metadata ?? {}),
    ...(result.externalId ? { externalId: result.externalId } : {}),
    ...(result.webhookFormat ? { webhookFormat: webhookFormatName(result.webhookFormat) } : {}),
  };
}

@Controller()
@UseFilters(GrpcExceptionFilter)
export class VerificationGrpcController {
  constructor(
    private readonly verifier: VerifyService,
    private readonly signing: SigningService,
    private readonly access: GrpcAccess,
  ) {}

  @GrpcMethod(SERVICE, 'VerifyKey')
  async verifyKey(request: VerifyKeyRequest, metadata: Metadata): Promise<VerifyKeyResponse> {
    await this.access.service(request, metadata, 'verify');
    const key = required('key', request.key);
    const kind = enumValue('kind', request.kind, KEY_KINDS) ?? 'api';
    const error =
      this.verifier.checkInput(key, request.ip) ??
      this.verifier.checkRequiredPermissions(request.permissions) ??
      this.verifier.checkOrigin(request.origin);
    if (error) throw badRequest(error.message, [error]);
    const result = await this.verifier.verify(key, request.ip, kind, 'grpc', request.permissions, request.origin);
    return {
      valid: result.valid,
      code: `VERIFY_CODE_${result.code}`,
      ...(result.keyId ? { keyId: result.keyId } : {}),
      ...(result.accountId ? { accountId: result.accountId } : {}),
      kind: keyKindName(result.kind),
      ...(result.expiresAt ? { expiresAt: result.expiresAt } : {}),
      ...verifyScopesMessage(result),
    };
  }

  @GrpcMethod(SERVICE, 'Sign')
  async sign(request: SignRequest, metadata: Metadata): Promise<SignResponse> {
    await this.access.service(request, metadata, 'signing');
    this.access.checkIds(request, false);
    // The JSON DTO's rules for the scheme and the webhook id; the payload is bytes here, so any value is valid.
    const body = await validated(SignDto, {
      payload: '',
      scheme: enumValue('scheme', request.scheme, SIGNING_SCHEMES),
      webhookId: request.webhookId,
    });
    checkSignScheme(body);
    const outcome = await this.signing.sign(request.accountId as string, request.payload ?? Buffer.alloc(0), new Date(), {
      scheme: body.scheme,
      webhookId: body.webhookId,
    });
    if (!outcome.ok) throw new RpcException(grpcStatus(Status.FAILED_PRECONDITION, outcome.message, outcome.code));
    return {
      header: outcome.header,
      timestamp: outcome.timestamp,
      keyIds: outcome.keyIds,
      signatures: outcome.signatures,
      ...(outcome.webhookId ? { webhookId: outcome.webhookId } : {}),
    };
  }

  @GrpcMethod(SERVICE, 'VerifySignature')
  async verifySignature(request: VerifySignatureRequest, metadata: Metadata): Promise<VerifySignatureResponse> {
    await this.access.service(request, metadata, 'signing');
    this.access.checkIds(request, false);
    const header = required('header', request.header);
    // The JSON DTO's rules for header and tolerance; the payload is bytes here, so any value is valid.
    const body = await validated(VerifySignatureDto, {
      payload: '',
      header,
      toleranceSeconds: request.toleranceSeconds,
      scheme: enumValue('scheme', request.scheme, SIGNING_SCHEMES),
      webhookId: request.webhookId,
      webhookTimestamp: request.webhookTimestamp,
    });
    checkVerifyScheme(body);
    const payload = request.payload ?? Buffer.alloc(0);
    const accountId = request.accountId as string;
    const result =
      body.scheme === 'standard-webhooks'
        ? await this.signing.verifyStandardWebhook(
            accountId,
            payload,
            { webhookId: body.webhookId, webhookTimestamp: body.webhookTimestamp, signature: body.header },
            body.toleranceSeconds,
          )
        : await this.signing.verify(accountId, payload, body.header, body.toleranceSeconds);
    return { valid: result.valid, code: `SIGNATURE_CODE_${result.code}` };
  }
}
