/**
 * Where a subscriber (a projection, the outbox relay) remembers how far it got in the global log,
 * so that after a restart it resumes with `subscribeToAll({ after })` instead of replaying it all.
 * Positions are the opaque bigints of the EventStore port.
 */

export const CHECKPOINT_STORE = Symbol('CHECKPOINT_STORE');

export interface CheckpointStore {
  /** The last position saved under this name; undefined when the subscriber never saved one. */
  load(name: string): Promise<bigint | undefined>;
  /** Overwrites the previous checkpoint (also backwards: a rebuild may rewind on purpose). */
  save(name: string, position: bigint): Promise<void>;
}
