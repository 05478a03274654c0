/**
 * Live updates beyond SODAR: open project timeline pages hold a Server-Sent Events stream
 * and hear of each new event or status change of their project. The database's
 * LISTEN/NOTIFY carries them (addEvent and setStatus notify in their own statement, so a
 * rolled-back event is never announced), which on a PostgreSQL server also brings events
 * written by other processes. The browser then fetches the row it may see. When the
 * database comes back after an outage, or the stream after a restart, the page reloads:
 * what happened in between was never announced.
 */
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Database } from '../app/database';
import { TIMELINE_CHANNEL } from './api';

/** A comment line now and then keeps proxies from closing an idle stream. */
const KEEP_ALIVE_MS = 25_000;

interface Notification {
  project: string | null;
  event: string;
}

/** The notification in `payload`, or null when it is not one (anyone may NOTIFY the channel). */
function notificationOf(payload: string): Notification | null {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || !('event' in value) || !('project' in value)) return null;
  const { event, project } = value;
  if (typeof event !== 'string' || (project !== null && typeof project !== 'string')) return null;
  return { event, project };
}

export class LiveEvents {
  /** Project UUID -> open streams. */
  private readonly streams = new Map<string, Set<Response>>();
  private stopListening: (() => Promise<void>) | null = null;
  private keepAlive: NodeJS.Timeout | null = null;

  constructor(private readonly logger: Logger) {}

  async start(listen: Database['listen']): Promise<void> {
    this.stopListening = await listen(TIMELINE_CHANNEL, (payload) => this.deliver(payload), () => this.resync());
    this.keepAlive = setInterval(() => this.each((res) => res.write(': keep-alive\n\n')), KEEP_ALIVE_MS);
    this.keepAlive.unref();
  }

  async stop(): Promise<void> {
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.each((res) => res.end());
    this.streams.clear();
    await this.stopListening?.();
  }

  /** Opens a stream for `projectUuid` on this response until the browser goes away. */
  subscribe(req: Request, res: Response, projectUuid: string): void {
    res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    res.write('retry: 2000\n\n');
    const streams = this.streams.get(projectUuid) ?? new Set<Response>();
    this.streams.set(projectUuid, streams);
    streams.add(res);
    req.on('close', () => {
      streams.delete(res);
      if (streams.size === 0) this.streams.delete(projectUuid);
    });
  }

  private deliver(payload: string): void {
    const note = notificationOf(payload);
    if (!note) {
      this.logger.warn({ payload }, 'ignoring a malformed timeline notification');
      return;
    }
    if (!note.project) return;
    for (const res of this.streams.get(note.project) ?? []) res.write(`data: ${JSON.stringify({ event: note.event })}\n\n`);
  }

  /** Tells every open page to catch up: notifications of the time the database was away are lost. */
  private resync(): void {
    this.each((res) => res.write(`data: ${JSON.stringify({ resync: true })}\n\n`));
  }

  private each(action: (res: Response) => void): void {
    for (const streams of this.streams.values()) for (const res of streams) action(res);
  }
}
