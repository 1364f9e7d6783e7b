/**
 * The account's Ed25519 signing public keys as a JWKS (RFC 7517, keys per RFC 8037): what receivers
 * of standard-webhooks `v1a` signatures fetch to verify them. Public key material only, so the route
 * takes no credential, and answers are cacheable for a short while (a rotation's grace period is far
 * longer than the cache). During a rotation's grace period both public keys are listed; a revoked,
 * suspended or expired key's are not.
 */
import { Controller, Get, Header, Param, UsePipes } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ed25519Jwk, type Ed25519Jwk } from '@cs/signature';
import { JwksAnswer } from '../http/answers';
import { ApiProblems } from '../http/openapi';
import { ACCOUNT_ID_PATTERN, IdParamsPipe } from '../http/params';
import { SigningService } from './signing.service';

/** How long receivers (and caches between) may keep an answer, in seconds. */
export const JWKS_MAX_AGE_SECONDS = 300;

@ApiTags('jwks')
@ApiParam({ name: 'accountId', schema: { type: 'string', pattern: ACCOUNT_ID_PATTERN.source }, example: 'acct_1' })
@Controller('v1/accounts/:accountId/jwks.json')
export class JwksController {
  constructor(private readonly signing: SigningService) {}

  @Get()
  @UsePipes(IdParamsPipe)
  @Header('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`)
  @Header('Content-Type', 'application/jwk-set+json')
  @ApiProduces('application/jwk-set+json')
  @ApiOperation({
    operationId: 'getAccountJwks',
    summary:
      'The public keys of the account’s valid ed25519 signing keys, as a JWKS (no credential: public key material; ' +
      'kid is "<keyId>.<secret version>"); both keys during a rotation’s grace period',
  })
  @ApiProblems('INVALID_ID', 'INDEX_UNAVAILABLE')
  @ApiOkResponse({ type: JwksAnswer, description: 'an empty `keys` list when the account has none' })
  async jwks(@Param('accountId') accountId: string): Promise<{ keys: Ed25519Jwk[] }> {
    const versions = await this.signing.validKeys(accountId, new Date(), 'standard-webhooks');
    return {
      keys: versions.flatMap((v) => (v.publicKey ? [ed25519Jwk(Buffer.from(v.publicKey, 'base64'), `${v.keyId}.${v.version}`)] : [])),
    };
  }
}
