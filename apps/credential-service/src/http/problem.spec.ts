import { badRequest, joinMessages, MAX_FIELD_ERRORS, ProblemException } from './problem';

describe('problem details', () => {
  const errors = (n: number) => Array.from({ length: n }, (_, i) => ({ field: `f${i}`, message: `m${i}` }));

  it(`lists at most ${MAX_FIELD_ERRORS} field errors and counts the rest in errorsOmitted`, () => {
    const body = badRequest('x', errors(5000)).body();
    expect(body.errors).toHaveLength(MAX_FIELD_ERRORS);
    expect(body.errors?.[MAX_FIELD_ERRORS - 1]).toEqual({ field: 'f19', message: 'm19' });
    expect(body.errorsOmitted).toBe(4980);
  });

  it('a short list is given whole, without errorsOmitted', () => {
    const body = new ProblemException(400, 'X', 'x', 'x', { errors: errors(MAX_FIELD_ERRORS) }).body();
    expect(body.errors).toHaveLength(MAX_FIELD_ERRORS);
    expect(body).not.toHaveProperty('errorsOmitted');
  });

  it('joins at most 20 messages into a detail, then says how many more', () => {
    expect(joinMessages([], 'fallback')).toBe('fallback');
    expect(joinMessages(['a', 'b'], '')).toBe('a; b');
    const long = joinMessages(
      Array.from({ length: 25 }, (_, i) => `m${i}`),
      '',
    );
    expect(long).toMatch(/^m0; m1; .*; m19; and 5 more$/);
  });
});
