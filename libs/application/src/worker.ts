/** Something a process runs in the background beside serving: a projection, a relay, a scheduler. */
export interface Worker {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}
