#!/usr/bin/env node
/**
 * Offline check of an exported event history (NDJSON, one event a line), with nothing but Node:
 *
 *   node scripts/audit-check-export.js history.ndjson
 *   node scripts/audit-check-export.js < history.ndjson
 *
 * Each line: {"position":"…","streamId":"…","revision":n,"id":"…","type":"…","data":{…},"secretDigest":"…",
 * "metadata":{…},"recordedAt":"…"} (other members are ignored; a `hash` member, when present, must be the
 * event's hash). `data` is in its audit form: a secret's hash and sealed copy taken out and
 * `secretDigest`, the SHA-256 of their canonical JSON, in their place (the account history export);
 * a line without secretDigest whose data still holds them is put in that form here.
 * Every stream's events are taken in revision order, whatever the order of the lines, and each chained
 * event's metadata.chain.prev must be the hash of the stream's event before it. The canonical form and
 * hash are those of libs/event-store/src/chain/canonical.ts (README, "Audit trail"), re-implemented
 * here so the check needs no build, no dependency and not this service.
 *
 * Memory: a few numbers and two hashes per event (not the events). Exit codes: 0 intact, 1 a break,
 * 2 usage, 3 the input could not be read.
 */
'use strict';
const { createHash } = require('node:crypto');
const { createReadStream } = require('node:fs');
const { createInterface } = require('node:readline');

const USAGE = `usage: node scripts/audit-check-export.js [--allow-gaps] [--json] [FILE]

Checks the hash chain of every stream in an NDJSON export of events (FILE, or standard input):
each chained event's metadata.chain.prev must be the SHA-256 of the canonical form of the stream's
event before it. Reports the first break (stream, revision, position, what is wrong); exit 1 on a break.

options:
  --allow-gaps   the export was filtered (by type, time…): an event whose predecessor is not in the
                 file is counted as not checkable instead of as a revision gap
  --json         print the report as one JSON object
  -h, --help     this text

exit codes: 0 intact, 1 a break was found, 2 usage error, 3 the input could not be read.
`;

/** RFC 8785-style canonical JSON: keys sorted by UTF-16 code units, no whitespace, JSON.stringify's strings and numbers. */
function canonicalJson(value) {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  throw new TypeError(`no canonical form for a ${typeof value}`);
}

const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The data without `secret.hash` and `secret.sealed`, and the digest of the canonical JSON of just those. */
function auditForm(data) {
  const secret = data && typeof data === 'object' && !Array.isArray(data) ? data.secret : undefined;
  if (!secret || typeof secret !== 'object' || Array.isArray(secret)) return { data };
  const material = {};
  const rest = {};
  for (const [name, value] of Object.entries(secret)) (name === 'hash' || name === 'sealed' ? material : rest)[name] = value;
  if (Object.keys(material).length === 0) return { data };
  return { data: { ...data, secret: rest }, secretDigest: sha256(canonicalJson(material)) };
}

function eventHash(row) {
  const { streamId, revision, id, type, metadata } = row;
  const { data, secretDigest } = typeof row.secretDigest === 'string' ? row : auditForm(row.data);
  return sha256(canonicalJson({ streamId, revision, id, type, data, secretDigest, metadata }));
}

const HEX = /^[0-9a-f]{64}$/;

/** 'absent', 'malformed' or the link's prev (a hash or null). */
function linkOf(metadata) {
  const chain = metadata && typeof metadata === 'object' ? metadata.chain : undefined;
  if (chain === undefined) return { state: 'absent' };
  if (!chain || typeof chain !== 'object' || chain.v !== 1) return { state: 'malformed' };
  if (chain.prev !== null && (typeof chain.prev !== 'string' || !HEX.test(chain.prev))) return { state: 'malformed' };
  return { state: 'link', prev: chain.prev };
}

function parseArgs(args) {
  const options = { allowGaps: false, json: false, file: null };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-h' || arg === '--help') return { help: true };
    if (arg === '--allow-gaps') options.allowGaps = true;
    else if (arg === '--json') options.json = true;
    else if (!arg.startsWith('-') && options.file === null) options.file = arg;
    else {
      const named = /^--?[A-Za-z][A-Za-z0-9-]{0,40}$/.test(arg) ? arg : `at position ${i + 1}`;
      return { error: `unknown option ${named}` };
    }
  }
  return options;
}

class Unreadable extends Error {}

/** Reads the lines into per-stream lists of small records (never the events themselves). */
async function collect(input) {
  const streams = new Map();
  let line = 0;
  let events = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    let row;
    try {
      row = JSON.parse(text);
    } catch {
      throw new Unreadable(`line ${line} is not JSON`);
    }
    if (
      !row ||
      typeof row !== 'object' ||
      typeof row.streamId !== 'string' ||
      !Number.isSafeInteger(row.revision) ||
      typeof row.id !== 'string' ||
      typeof row.type !== 'string'
    )
      throw new Unreadable(`line ${line} is not an event (streamId, revision, id, type, data, metadata)`);
    let hash;
    try {
      hash = eventHash(row);
    } catch {
      throw new Unreadable(`line ${line} has a value with no canonical form`);
    }
    const link = linkOf(row.metadata);
    const entry = { revision: row.revision, position: String(row.position ?? ''), line, hash, link: link.state, prev: link.prev ?? null };
    if (typeof row.hash === 'string' && row.hash !== hash) entry.hashField = true;
    let list = streams.get(row.streamId);
    if (!list) streams.set(row.streamId, (list = []));
    list.push(entry);
    events++;
  }
  return { streams, events };
}

function check({ streams, events }, allowGaps) {
  const report = {
    intact: true,
    events,
    streams: streams.size,
    chainedEvents: 0,
    legacyEvents: 0,
    uncheckedLinks: 0,
    breaks: 0,
    firstBreak: null,
  };
  const breaks = [];
  for (const [streamId, list] of streams) {
    list.sort((a, b) => a.revision - b.revision);
    let before = null;
    let chained = false;
    for (const e of list) {
      const fail = (kind, detail) =>
        breaks.push({
          kind,
          streamId,
          revision: e.revision,
          position: e.position,
          line: e.line,
          previous: before && { revision: before.revision, position: before.position },
          detail,
        });
      if (e.hashField) fail('hash-field-mismatch', 'the line’s hash member is not the hash of the event as exported');
      if (before && e.revision === before.revision) fail('reorder', `revision ${e.revision} appears twice`);
      else if (e.link === 'malformed') fail('chain-malformed', 'metadata.chain is not a link of a known version');
      else if (e.link === 'absent') {
        if (chained) fail('chain-missing', 'the event has no metadata.chain, but its stream is chained before it');
        else report.legacyEvents++;
      } else {
        report.chainedEvents++;
        chained = true;
        const gap = before ? e.revision > before.revision + 1 : e.revision > 0;
        if (e.prev === (before ? before.hash : null)) {
          // linked to the event before it in the file (with a gap only where the store hid events)
        } else if (gap && allowGaps) report.uncheckedLinks++;
        else if (gap)
          fail(
            'revision-gap',
            before
              ? `revisions ${before.revision + 1} to ${e.revision - 1} are missing`
              : `the stream starts at revision ${e.revision}; its link names an event not in the file`,
          );
        else
          fail(
            'hash-mismatch',
            before
              ? `the link does not match the hash of revision ${before.revision}`
              : 'the first event of the stream links to a previous event',
          );
      }
      before = e;
    }
  }
  breaks.sort((a, b) => a.line - b.line);
  report.breaks = breaks.length;
  report.firstBreak = breaks[0] ?? null;
  report.intact = breaks.length === 0;
  return report;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (options.error) {
    process.stderr.write(`audit-check-export: ${options.error}\n\n${USAGE}`);
    return 2;
  }
  const input = options.file ? createReadStream(options.file) : process.stdin;
  let report;
  try {
    report = check(await collect(input), options.allowGaps);
  } catch (error) {
    const message =
      error instanceof Unreadable
        ? error.message
        : error && error.code === 'ENOENT'
          ? 'the file does not exist'
          : 'the input could not be read';
    process.stderr.write(`audit-check-export: ${message}\n`);
    return 3;
  }
  if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    process.stdout.write(
      `${report.events} events in ${report.streams} streams; chained ${report.chainedEvents}, before the chain ${report.legacyEvents}` +
        (options.allowGaps ? `, links to events not in the file ${report.uncheckedLinks}` : '') +
        '\n',
    );
    const b = report.firstBreak;
    process.stdout.write(
      b
        ? `BROKEN: ${report.breaks} break(s); the first: stream ${b.streamId}, revision ${b.revision}, ` +
            `position ${b.position} (line ${b.line}): ${b.kind}: ${b.detail}\n`
        : 'intact: every chained event links to the event before it in its stream\n',
    );
  }
  return report.intact ? 0 : 1;
}

if (require.main === module) main().then((code) => process.exit(code));

module.exports = { canonicalJson, eventHash };
