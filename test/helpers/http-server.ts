/** Serves an app on a free local port, for clients that need a real socket (streams, browsers). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Site } from '../../app/site';

export interface ServedApp {
  server: http.Server;
  /** `http://127.0.0.1:<port>` */
  base: string;
  /** Stops serving, breaking open connections (event streams never end on their own). */
  close(): void;
}

export async function serveOverHttp(app: Site['app']): Promise<ServedApp> {
  const server = http.createServer(app).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    server,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
