import { once } from 'node:events';
import { createServer, type Server } from 'node:net';

/** Every local engine listens on the loopback interface only: nothing here is meant for the network. */
export const LOOPBACK = '127.0.0.1';

/** Raised when a port the caller asked for is taken; `start.ts` turns it into one clear line. */
export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`port ${port} is already in use`);
    this.name = 'PortInUseError';
  }
}

/**
 * Asks the OS for a free loopback port. Only for engines that cannot listen on port 0 themselves
 * (DynamoDB Local is a java process that must be told its port up front).
 */
export async function findFreePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, LOOPBACK);
  await once(probe, 'listening');
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not obtain a free port');
  return address.port;
}

/** Listens on `port` (0 = any free one) and resolves with the bound port; `EADDRINUSE` → PortInUseError. */
export async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port) : error);
    };
    server.once('error', onError);
    server.listen(port, LOOPBACK, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  return address.port;
}

/**
 * Closes a server without waiting for clients' keep-alive connections to time out: the SDK
 * clients of the handlers keep sockets open, which would otherwise hold shutdown for seconds.
 */
export async function closeServer(server: Server & { closeAllConnections?: () => void }): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections?.();
  await closed;
}
