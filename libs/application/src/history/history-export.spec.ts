import { csvCell, csvHeader, csvLine, ndjsonLine } from './history-export';
import type { HistoryRow } from '@cs/validity';

const row: HistoryRow = {
  position: 12345678901234567890n,
  streamId: 'key-key_a',
  revision: 3,
  id: 'e1',
  type: 'KeyUpdated',
  data: { keyId: 'key_a', changes: { name: 'a, "b"\r\nc' } },
  metadata: { actor: { type: 'system', name: 'x' }, occurredAt: '2026-01-01T00:00:00.000Z', chain: { prev: 'ab' } },
  recordedAt: '2026-01-01T00:00:00.001Z',
  keyId: 'key_a',
  accountId: 'acct_1',
};

describe('history export lines', () => {
  it('NDJSON: the stored event in the fixed field order, position as a string (bigints above 2^53 intact), one line', () => {
    const line = ndjsonLine(row);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    const parsed = JSON.parse(line);
    expect(Object.keys(parsed)).toEqual(['position', 'streamId', 'revision', 'id', 'type', 'data', 'metadata', 'recordedAt', 'keyId']);
    expect(parsed.position).toBe('12345678901234567890');
    expect(parsed.metadata).toEqual(row.metadata);
    expect(parsed.data).toEqual(row.data);
  });

  it('CSV cells (RFC 4180): quoted only when holding a comma, quote, CR or LF, quotes doubled', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"');
    expect(csvCell('')).toBe('');
  });

  it('CSV cells that a spreadsheet would run as a formula (= + - @ tab CR first) are prefixed with a quote', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+SUM(A1)')).toBe("'+SUM(A1)");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@cmd')).toBe("'@cmd");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('\rx')).toBe('"\'\rx"');
    expect(csvCell('=HYPERLINK("u","x")')).toBe('"\'=HYPERLINK(""u"",""x"")"');
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('a CSV record has the header columns, data and metadata as JSON text, CRLF-terminated', () => {
    expect(csvHeader()).toBe('position,streamId,revision,id,type,data,secretDigest,metadata,recordedAt,keyId\r\n');
    const line = csvLine(row);
    expect(line.endsWith('\r\n')).toBe(true);
    expect(line.startsWith('12345678901234567890,key-key_a,3,e1,KeyUpdated,"{""keyId"":""key_a""')).toBe(true);
    expect(line).toContain('""name"":""a, \\""b\\""\\r\\nc""');
    expect(line.endsWith(',2026-01-01T00:00:00.001Z,key_a\r\n')).toBe(true);
    // No secret material in this event: an empty secretDigest cell before the metadata.
    expect(line).toContain('}",,"{""actor""');
  });

  it("an event that had secret material carries its digest (NDJSON after data, CSV in its column), never the secret's hash", () => {
    const generated: HistoryRow = {
      ...row,
      type: 'KeyGenerated',
      data: { keyId: 'key_a', secret: { version: 1, start: 'ak_live_abc' } },
      secretDigest: 'd'.repeat(64),
    };
    const parsed = JSON.parse(ndjsonLine(generated));
    expect(Object.keys(parsed)).toEqual([
      'position',
      'streamId',
      'revision',
      'id',
      'type',
      'data',
      'secretDigest',
      'metadata',
      'recordedAt',
      'keyId',
    ]);
    expect(parsed.secretDigest).toBe('d'.repeat(64));
    expect(csvLine(generated)).toContain(`}",${'d'.repeat(64)},"{""actor""`);
  });
});
