/** What a shutdown waits for: the responses the server is still working on. */
import type http from 'node:http';

/** Event streams never end by themselves: they are not "in flight" for a shutdown to wait on. */
function isEventStream(res: http.ServerResponse): boolean {
  return String(res.getHeader('content-type') ?? '').startsWith('text/event-stream');
}

/**
 * The responses a server is working on, so that a shutdown can wait for them. Once stopping,
 * every response says `Connection: close`: clients open their next connection elsewhere.
 */
export class RequestsInFlight {
  private readonly open = new Set<http.ServerResponse>();
  private onChange: (() => void) | null = null;
  private stopping = false;

  /** From now on (and for responses not yet begun) ask clients to close their connection. */
  beginStopping(): void {
    this.stopping = true;
    for (const res of this.open) if (!res.headersSent) res.setHeader('Connection', 'close');
  }

  /** Wraps the app: counts each response before the app can have sent its headers. */
  handler(app: http.RequestListener): http.RequestListener {
    return (req, res) => {
      if (this.stopping) res.setHeader('Connection', 'close');
      this.open.add(res);
      res.once('close', () => {
        this.open.delete(res);
        this.onChange?.();
      });
      app(req, res);
    };
  }

  private busy(): boolean {
    for (const res of this.open) if (!isEventStream(res)) return true;
    return false;
  }

  /** Resolves once no request but event streams is open, or after `ms`. */
  settled(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.onChange = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.onChange = () => !this.busy() && done();
      this.onChange();
    });
  }
}
