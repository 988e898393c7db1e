import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  /** `amqp://…` URL that goes through the proxy. */
  url: string;
  port: number;
  /** Drops every open connection and refuses new ones until `restore()`: a network cut. */
  cut(): void;
  restore(): void;
  /** Holds everything the broker sends (confirms, returns, deliveries) for `ms` before passing it on: a slow broker. */
  delayReplies(ms: number): void;
  close(): Promise<void>;
}

/**
 * A loopback TCP proxy in front of the broker, so a test can cut its own connections without
 * touching the shared broker or anyone else's connections.
 */
export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const targetPort = Number(target.port || 5672);
  const sockets = new Set<net.Socket>();
  let down = false;
  let replyDelayMs = 0;
  const server = net.createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, target.hostname);
    sockets.add(client);
    sockets.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    // Chunks keep their order: each waits the same delay, and timers of equal delay fire in order.
    upstream.on('data', (chunk: Buffer) => {
      if (replyDelayMs === 0) client.write(chunk);
      else setTimeout(() => client.writable && client.write(chunk), replyDelayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    port,
    cut() {
      down = true;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    restore() {
      down = false;
    },
    delayReplies(ms) {
      replyDelayMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
