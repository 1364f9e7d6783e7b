import { createServer, type Server } from 'node:net';
import { PICKED_PORT_RANGE, pickFreePort } from './listen';

const listen = (port: number): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(server));
  });
const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

describe('pickFreePort (GRPC_PORT=0, the ports a primary hands its workers)', () => {
  it('picks a port below the ephemeral range that can be bound at once', async () => {
    for (let i = 0; i < 5; i++) {
      const port = await pickFreePort('127.0.0.1');
      expect(port).toBeGreaterThanOrEqual(PICKED_PORT_RANGE.from);
      expect(port).toBeLessThanOrEqual(PICKED_PORT_RANGE.to);
      await close(await listen(port));
    }
  });

  it('passes over a port that is taken', async () => {
    const taken = await pickFreePort('127.0.0.1');
    const holder = await listen(taken);
    try {
      // The first draw lands on the taken port, the next ones elsewhere in the range.
      const draws = [(taken - PICKED_PORT_RANGE.from + 0.5) / (PICKED_PORT_RANGE.to - PICKED_PORT_RANGE.from + 1), Math.random()];
      let calls = 0;
      const port = await pickFreePort('127.0.0.1', () => draws[Math.min(calls++, 1)]);
      expect(calls).toBe(2);
      expect(port).not.toBe(taken);
      await close(await listen(port));
    } finally {
      await close(holder);
    }
  });

  it('falls back to a port the kernel picks when every draw is taken', async () => {
    const taken = await pickFreePort('127.0.0.1');
    const holder = await listen(taken);
    try {
      const always = (taken - PICKED_PORT_RANGE.from + 0.5) / (PICKED_PORT_RANGE.to - PICKED_PORT_RANGE.from + 1);
      let calls = 0;
      const port = await pickFreePort('127.0.0.1', () => (calls++, always));
      expect(calls).toBe(50);
      expect(port).not.toBe(taken);
      expect(port).toBeGreaterThan(0);
      await close(await listen(port));
    } finally {
      await close(holder);
    }
  });
});
