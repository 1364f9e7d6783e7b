/**
 * Path parameters checked at the edge: a malformed id is a 400 with a message, never a lookup.
 */
import { Injectable, type PipeTransform, type ArgumentMetadata } from '@nestjs/common';
import { KEY_ID_PATTERN } from '@cs/application';
import { ProblemException } from './problem';

export const ACCOUNT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

@Injectable()
export class IdParamsPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'param') return value;
    const rules: Record<string, [RegExp, string]> = {
      accountId: [ACCOUNT_ID_PATTERN, 'accountId must be 1-64 letters, digits, ".", "_" or "-"'],
      keyId: [KEY_ID_PATTERN, 'keyId must look like key_ followed by 24 letters or digits'],
    };
    const rule = metadata.data ? rules[metadata.data] : undefined;
    if (rule && (typeof value !== 'string' || !rule[0].test(value))) {
      throw new ProblemException(400, 'INVALID_ID', 'Malformed identifier', rule[1], {
        errors: [{ field: metadata.data as string, message: rule[1] }],
      });
    }
    return value;
  }
}
