/** Reads a Server-Sent Events stream as a browser would, over a real socket held open. */
import http from 'node:http';

/** The promise of the feature: an open page hears of a change within this. */
export const LIVE_DEADLINE_MS = 2000;

export interface LiveMessage {
  data: unknown;
  /** Date.now() when it arrived, to compare with a commit time of another process. */
  at: number;
}

/** An open event stream, read message by message. */
export interface LiveStream {
  status: number;
  contentType: string;
  /** The body, for refusals (which are not streams). */
  body(): Promise<string>;
  /** The next `data:` message, or a rejection when none comes within `ms`. */
  next(ms?: number): Promise<LiveMessage>;
  close(): void;
}

/** Opens `path` and resolves once the response headers are in; the body keeps streaming. */
export function openStream(base: string, path: string, cookie?: string): Promise<LiveStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}${path}`, { headers: { Accept: 'text/event-stream', ...(cookie ? { Cookie: cookie } : {}) } }, (res) => {
      res.setEncoding('utf8');
      const queue: LiveMessage[] = [];
      const waiting: Array<(message: LiveMessage) => void> = [];
      let buffer = '';
      let raw = '';
      const ended = new Promise<void>((done) => res.once('end', done));
      res.on('data', (chunk: string) => {
        raw += chunk;
        buffer += chunk;
        // Messages end with a blank line; comments (`: keep-alive`) and `retry:` carry no data.
        for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const data = block.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trim());
          if (data.length === 0) continue;
          const message = { data: JSON.parse(data.join('\n')) as unknown, at: Date.now() };
          const waiter = waiting.shift();
          if (waiter) waiter(message);
          else queue.push(message);
        }
      });
      resolve({
        status: res.statusCode ?? 0,
        contentType: String(res.headers['content-type'] ?? ''),
        body: async () => {
          await ended;
          return raw;
        },
        next: (ms = LIVE_DEADLINE_MS) => {
          const queued = queue.shift();
          if (queued) return Promise.resolve(queued);
          return new Promise((found, missed) => {
            const timer = setTimeout(() => {
              waiting.splice(waiting.indexOf(take), 1);
              missed(new Error(`no live message within ${ms} ms`));
            }, ms);
            const take = (message: LiveMessage) => {
              clearTimeout(timer);
              found(message);
            };
            waiting.push(take);
          });
        },
        close: () => req.destroy(),
      });
    });
    req.once('error', reject);
  });
}
