/**
 * A TCP proxy a test can cut and restore, to make a database server unreachable for a while,
 * or stall: connections are accepted and held but no byte goes through, as when packets to
 * the server are dropped (a black-holed network) rather than refused.
 */
import net from 'node:net';
import { createTestDatabase } from './database';
import { startTestSite, type TestSite } from './site';

export class TcpProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  /** While stalled, what each socket was to be sent (null: its end), in order; null when bytes flow. */
  private held: Array<{ to: net.Socket; chunk: Buffer | null }> | null = null;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Starts listening (on the same port as before when restarted). */
  async open(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      this.relay(client, upstream);
      this.relay(upstream, client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  private relay(from: net.Socket, to: net.Socket): void {
    from.on('data', (chunk: Buffer) => this.send(to, chunk));
    from.on('end', () => this.send(to, null));
  }

  private send(to: net.Socket, chunk: Buffer | null): void {
    if (this.held) this.held.push({ to, chunk });
    else if (to.destroyed) return;
    else if (chunk) to.write(chunk);
    else to.end();
  }

  /** From now on, holds every byte in either direction (open connections and new ones) until `resume`. */
  stall(): void {
    this.held ??= [];
  }

  /** Delivers what was held, as TCP would once the network is back, and lets bytes flow again. */
  resume(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const { to, chunk } of held) this.send(to, chunk);
  }

  /** Refuses new connections and breaks the open ones, like a server going away. */
  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }
}

/**
 * A site on a throwaway PostgreSQL database (TEST_DATABASE_URL) whose every connection goes
 * through a proxy the test can cut or stall; `close` stops and removes it all.
 */
export async function startSiteBehindProxy(env: Record<string, string> = {}): Promise<{ site: TestSite; proxy: TcpProxy; close(): Promise<void> }> {
  const location = await createTestDatabase();
  const target = new URL(location.url!);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  await proxy.open();
  const viaProxy = new URL(location.url!);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  const site = await startTestSite({ location, env: { ...env, DATABASE_URL: viaProxy.toString() } });
  const close = async () => {
    proxy.resume();
    await proxy.open();
    await site.close();
    await proxy.cut();
    await location.remove();
  };
  return { site, proxy, close };
}
