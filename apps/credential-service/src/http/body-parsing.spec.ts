import { MAX_JSON_DEPTH, nestsDeeperThan } from './body-parsing';

const deeper = (text: string, limit = MAX_JSON_DEPTH): boolean => nestsDeeperThan(Buffer.from(text, 'utf8'), limit);

describe('nestsDeeperThan', () => {
  it('counts arrays and objects alike, up to the limit inclusive', () => {
    expect(deeper('{"a":[{"b":[1]}]}', 4)).toBe(false);
    expect(deeper('{"a":[{"b":[[1]]}]}', 4)).toBe(true);
    expect(deeper(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`)).toBe(false);
    expect(deeper(`${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`)).toBe(true);
  });

  it('siblings do not add up', () => {
    expect(deeper(JSON.stringify({ a: [[1]], b: [[2]], c: Array.from({ length: 1000 }, () => [3]) }), 3)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(deeper(JSON.stringify({ name: '[[[[{{{{' }), 2)).toBe(false);
    expect(deeper(JSON.stringify({ name: 'say \\"[[[[\\" and "{{{{"' }), 2)).toBe(false);
    expect(deeper(JSON.stringify({ name: '\\', next: [[[1]]] }), 3)).toBe(true);
    expect(deeper(JSON.stringify({ name: 'é ✓ [[[[', next: 1 }), 1)).toBe(false);
  });

  it('scalars and empty input are depth 0', () => {
    expect(deeper('42', 0)).toBe(false);
    expect(deeper('', 0)).toBe(false);
    expect(deeper('{}', 0)).toBe(true);
  });
});
