/**
 * An independent count of the statements this process executes on a database, taken where
 * the protocol messages leave for it: pg's Connection (the socket's writer) and PGlite's
 * execProtocolRawSync (the bytes handed to the wasm PostgreSQL), whichever the test uses.
 * A statement counts when it is executed: a simple Query ('Q') or an Execute ('E') of a
 * bound prepared statement, whose text comes from its Parse ('P'). It shares no code with
 * the drivers' own counting (app/statement-counter.ts), so the two can be compared.
 */
import { PGlite } from '@electric-sql/pglite';
import { Connection } from 'pg';

export interface WireCount {
  /** The texts of the statements executed since the count started, in order. */
  readonly executed: string[];
  stop(): void;
}

/** Follows one connection's messages: names of prepared statements and the one last bound. */
class ProtocolFollower {
  private readonly byName = new Map<string, string>();
  private bound = '';

  constructor(private readonly executed: string[]) {}

  query(text: string): void {
    this.executed.push(text);
  }
  parse(name: string, text: string): void {
    this.byName.set(name, text);
  }
  bind(statement: string): void {
    this.bound = statement;
  }
  execute(): void {
    this.executed.push(this.byName.get(this.bound) ?? `(unknown statement ${this.bound})`);
  }
}

/** The null-terminated strings of a frontend message's body, as far as `count` of them. */
function cStrings(body: Uint8Array, count: number): string[] {
  const strings: string[] = [];
  let at = 0;
  while (strings.length < count && at < body.length) {
    const end = body.indexOf(0, at);
    strings.push(Buffer.from(body.subarray(at, end)).toString('utf8'));
    at = end + 1;
  }
  return strings;
}

/** Feeds the frontend messages in `bytes` (type byte, int32 length, body) to `follower`. */
function followMessages(bytes: Uint8Array, follower: ProtocolFollower): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + 5 <= bytes.length; ) {
    const type = String.fromCharCode(bytes[at]!);
    const length = view.getInt32(at + 1);
    const body = bytes.subarray(at + 5, at + 1 + length);
    if (type === 'Q') follower.query(cStrings(body, 1)[0]!);
    else if (type === 'P') follower.parse(...(cStrings(body, 2) as [string, string]));
    else if (type === 'B') follower.bind(cStrings(body, 2)[1]!);
    else if (type === 'E') follower.execute();
    at += 1 + length;
  }
}

/** Starts counting; `stop()` puts the drivers back as they were. */
export function countAtTheWire(): WireCount {
  const executed: string[] = [];
  const followers = new WeakMap<object, ProtocolFollower>();
  const followerOf = (owner: object) => {
    let follower = followers.get(owner);
    if (!follower) followers.set(owner, (follower = new ProtocolFollower(executed)));
    return follower;
  };
  const pglite = PGlite.prototype;
  const raw = pglite.execProtocolRawSync;
  pglite.execProtocolRawSync = function (this: PGlite, message: Uint8Array) {
    followMessages(message, followerOf(this));
    return raw.call(this, message);
  };
  const pg = Connection.prototype;
  const original = { query: pg.query, parse: pg.parse, bind: pg.bind, execute: pg.execute };
  pg.query = function (this: Connection, text: string) {
    followerOf(this).query(text);
    return original.query.call(this, text);
  };
  pg.parse = function (this: Connection, ...args: Parameters<Connection['parse']>) {
    followerOf(this).parse(args[0].name ?? '', args[0].text);
    return original.parse.apply(this, args);
  };
  pg.bind = function (this: Connection, ...args: Parameters<Connection['bind']>) {
    followerOf(this).bind(args[0]?.statement ?? '');
    return original.bind.apply(this, args);
  };
  pg.execute = function (this: Connection, ...args: Parameters<Connection['execute']>) {
    followerOf(this).execute();
    return original.execute.apply(this, args);
  };
  return {
    executed,
    stop() {
      pglite.execProtocolRawSync = raw;
      Object.assign(pg, original);
    },
  };
}
