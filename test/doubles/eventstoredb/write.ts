/**
 * The write step Append, BatchAppend, Delete and Tombstone share: what the node's request manager
 * answers once the events have been received (ClientMessage.WriteEvents → WriteEventsCompleted or
 * NotHandled). Each transport maps the result to its own wire form.
 */
import type { DoubleContext } from './context';
import type { LeaderInfo } from './faults';
import { systemEvent, type ExpectedState, type ProposedEvent } from './log';

export type WriteResult =
  | { kind: 'success'; currentRevision: bigint | null; position: bigint | null }
  | { kind: 'wrong_expected_version'; currentRevision: bigint | null }
  | { kind: 'stream_deleted' }
  /** CommitTimeout after the events were written: they are in the log all the same. */
  | { kind: 'timeout' }
  | { kind: 'not_leader'; leader: LeaderInfo };

export type WriteOperation = { kind: 'append'; events: ProposedEvent[] } | { kind: 'delete' } | { kind: 'tombstone' };

export function write(
  ctx: DoubleContext,
  stream: string,
  expected: ExpectedState,
  operation: WriteOperation,
  requiresLeader: boolean,
): WriteResult {
  const leader = ctx.faults.notLeaderFor('write', requiresLeader);
  if (leader) return { kind: 'not_leader', leader };
  if (ctx.faults.interleavingSystemEvents) {
    ctx.log.append('$stats-127.0.0.1:2113', { kind: 'any' }, [systemEvent('$statsCollected', { 'proc-id': process.pid })]);
  }
  const outcome =
    operation.kind === 'append'
      ? ctx.log.append(stream, expected, operation.events)
      : operation.kind === 'delete'
        ? ctx.log.softDelete(stream, expected)
        : ctx.log.tombstone(stream, expected);
  if (!outcome.ok) {
    return outcome.reason === 'stream_deleted'
      ? { kind: 'stream_deleted' }
      : { kind: 'wrong_expected_version', currentRevision: outcome.currentRevision };
  }
  if (ctx.faults.take('commitThenTimeout')) return { kind: 'timeout' };
  return { kind: 'success', currentRevision: outcome.currentRevision, position: outcome.position };
}
