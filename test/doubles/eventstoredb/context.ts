/** What every handler of one double shares; outlives the gRPC server across restarts. */
import type { Deadline, Metadata } from '@grpc/grpc-js';
import type { EsdbFaults } from './faults';
import type { EsdbLog } from './log';

export interface DoubleContext {
  log: EsdbLog;
  faults: EsdbFaults;
  /** Each open long-lived call's close (subscriptions, BatchAppend calls), so stopping the server
   *  detaches them from the log it outlives. */
  live: Set<() => void>;
  /** false behaves like servers before 23.10, which never send caught_up. */
  sendCaughtUp: boolean;
  /** The node's WriteTimeoutMs (default 2000): a BatchAppend batch not completed within
   *  min(its deadline, this) is answered with Timeout. */
  writeTimeoutMs: number;
  /** Major version, for the few messages that changed between 24.10 and 25.x. */
  major: number;
  /** Calls received per method, so tests can tell which write path the client took. */
  calls: CallCounts;
}

export interface CallCounts {
  serverFeatures: number;
  append: number;
  batchAppend: number;
  read: number;
  subscribe: number;
  delete: number;
  tombstone: number;
}

/** The client cancelled the call or its deadline passed (grpc-js answers DEADLINE_EXCEEDED itself
 *  then, without marking the call cancelled): held work for it is dropped. */
export function gaveUp(call: { cancelled: boolean; getDeadline(): Deadline }): boolean {
  if (call.cancelled) return true;
  const deadline = call.getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  return Date.now() >= at;
}

/** The `requires-leader` header the client sends for `requiresLeader: true` (GetRequiresLeader). */
export function requiresLeader(metadata: Metadata): boolean {
  const [value] = metadata.get('requires-leader');
  return typeof value === 'string' && value.toLowerCase() === 'true';
}
