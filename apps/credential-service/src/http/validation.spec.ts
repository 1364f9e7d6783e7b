import 'reflect-metadata';
import type { Type } from '@nestjs/common';
import { GenerateKeyDto, RegenerateKeyDto, RevealKeyDto, RevokeKeyDto, SetExpiryDto, UpdateKeyDto } from '../keys/key.dto';
import { SignDto, VerifySignatureDto } from '../signing/signatures.dto';
import { ProblemException } from './problem';
import { API_FIELD_NAMES, declaredFields, unknownFieldErrors, validationPipe } from './validation';

const DTOS = [GenerateKeyDto, RegenerateKeyDto, SetExpiryDto, RevealKeyDto, UpdateKeyDto, RevokeKeyDto, SignDto, VerifySignatureDto];
const SECRET = 'ak_live_SENTINEL0123456789abcdef';

async function problemOf(metatype: Type, body: unknown): Promise<ProblemException | null> {
  try {
    await validationPipe.transform(body, { type: 'body', metatype });
    return null;
  } catch (error) {
    if (error instanceof ProblemException) return error;
    throw error;
  }
}

describe('request validation', () => {
  it('API_FIELD_NAMES lists every field of every DTO', () => {
    for (const dto of DTOS)
      for (const field of declaredFields(dto)) expect([dto.name, API_FIELD_NAMES.has(field)]).toEqual([dto.name, true]);
  });

  it('never repeats a value, whatever its type, in any field of any DTO', async () => {
    const wrong: unknown[] = [
      SECRET,
      `${SECRET}${'x'.repeat(300)}`,
      [SECRET],
      [SECRET, 1, null],
      { [SECRET]: SECRET },
      123456789,
      true,
      `2027-02-30T00:00:00Z${SECRET}`,
      `\u0000${SECRET}`,
    ];
    for (const dto of DTOS) {
      for (const field of declaredFields(dto)) {
        for (const value of wrong) {
          const problem = await problemOf(dto, { [field]: value });
          const text = JSON.stringify(problem?.body() ?? null);
          expect([dto.name, field, text.includes('SENTINEL'), text.includes('123456789')]).toEqual([dto.name, field, false, false]);
        }
      }
    }
  });

  it('never repeats an unknown field name; counts and locates it instead', async () => {
    const problem = await problemOf(GenerateKeyDto, { kind: 'api', [SECRET]: 1, name: 'x', other: SECRET });
    expect(problem?.status).toBe(400);
    const body = JSON.stringify(problem?.body());
    expect(body).not.toContain('SENTINEL');
    expect(body).not.toContain('other');
    expect(problem?.extras.errors).toEqual([
      {
        field: '(unknown)',
        message:
          '2 unknown fields (position 2, 4 in the body; names are not repeated); accepted fields: kind, name, allowedIps, webhookFormat, permissions, metadata, externalId, allowedOrigins, scheme, algorithm',
      },
    ]);
  });

  it('names a field of the API that does not belong to this endpoint, and still reports the other errors', async () => {
    const problem = await problemOf(UpdateKeyDto, { kind: 'signing', name: 7, zzz: 1 });
    expect(problem?.extras.errors?.map((e) => e.field)).toEqual(['kind', '(unknown)', 'name', 'name']);
    expect(problem?.detail).toMatch(/^kind is not accepted by this endpoint; 1 unknown field \(position 3 /);
  });

  it('lists at most 20 positions', () => {
    const body = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`f${i}`, i]));
    const [error] = unknownFieldErrors(body, []);
    expect(error.message).toMatch(/^500 unknown fields \(position 1, 2, .*, 20 and 480 more in the body/);
  });
});
