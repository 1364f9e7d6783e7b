/**
 * Exports of the account history (README, "Account history", exports): the rows of a query, streamed
 * as NDJSON or CSV. A Readable that pulls one page of the read model at a time when its consumer
 * asks for more (backpressure: a slow client holds back the reads, not memory), so an export of a
 * million events needs the memory of one page.
 */
import { Readable } from 'node:stream';
import type { HistoryRow } from '@cs/validity';

export type HistoryExportFormat = 'ndjson' | 'csv';

export const HISTORY_EXPORT_CONTENT_TYPES: Record<HistoryExportFormat, string> = {
  ndjson: 'application/x-ndjson',
  csv: 'text/csv; charset=utf-8',
};

/** The columns of a CSV export, in order; an NDJSON line has the same fields in the same order. */
export const HISTORY_EXPORT_FIELDS = [
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
] as const;

/** One NDJSON line (with its newline): the stored event, its data without secret material. */
export function ndjsonLine(row: HistoryRow): string {
  return (
    JSON.stringify({
      position: row.position.toString(),
      streamId: row.streamId,
      revision: row.revision,
      id: row.id,
      type: row.type,
      data: row.data,
      secretDigest: row.secretDigest,
      metadata: row.metadata,
      recordedAt: row.recordedAt,
      keyId: row.keyId,
    }) + '\n'
  );
}

/**
 * One CSV cell, RFC 4180: quoted when it holds a comma, a quote, CR or LF, quotes doubled. A cell that
 * a spreadsheet would read as a formula (it starts with = + - @, a tab or CR) is prefixed with `'`
 * first (CSV injection): the cell then shows as the text it is.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const csvHeader = (): string => HISTORY_EXPORT_FIELDS.join(',') + '\r\n';

/** One CSV record (CRLF-terminated): data and metadata as JSON text. */
export function csvLine(row: HistoryRow): string {
  const cells = [
    row.position.toString(),
    row.streamId,
    String(row.revision),
    row.id,
    row.type,
    JSON.stringify(row.data),
    row.secretDigest ?? '',
    JSON.stringify(row.metadata),
    row.recordedAt,
    row.keyId,
  ];
  return cells.map(csvCell).join(',') + '\r\n';
}

/**
 * The rows as a stream of text in `format`, at most `max` rows. `first` is the already-read first
 * result of `rows` (so that a failure of the first read is answered as an error, before any byte).
 */
export function historyExportStream(
  rows: AsyncIterator<HistoryRow>,
  first: IteratorResult<HistoryRow>,
  format: HistoryExportFormat,
  max = Infinity,
): Readable {
  const line = format === 'ndjson' ? ndjsonLine : csvLine;
  async function* text(): AsyncGenerator<string> {
    if (format === 'csv') yield csvHeader();
    let count = 0;
    let next = first;
    let chunk = '';
    while (!next.done && count < max) {
      chunk += line(next.value);
      count++;
      // A chunk per few hundred rows: fewer, larger writes, each bounded.
      if (count % 256 === 0) {
        yield chunk;
        chunk = '';
      }
      if (count < max) next = await rows.next();
    }
    if (chunk) yield chunk;
    await rows.return?.(undefined);
  }
  return Readable.from(text(), { objectMode: false, highWaterMark: 64 * 1024 });
}
