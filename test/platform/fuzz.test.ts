/**
 * Fuzz: every route of the site (read from its routers, plugin routes included) as an
 * anonymous visitor, a member and a superuser, with malformed UUIDs, wrong methods, bad or
 * missing CSRF tokens, malformed JSON, wrong content types, huge and deep bodies, NUL and
 * surrogates, prototype keys, huge page numbers and bad Accept headers. No answer may be a
 * 5xx or show a stack trace or SQL. FUZZ_REQUESTS sets how many (default 2,500), FUZZ_SEED
 * the seed, so a failure can be replayed.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import supertest from 'supertest';
import type { RouteInfo } from '../../app/route-list';
import type { Project } from '../../projectroles/entities';
import { assignRole, createProject } from '../../projectroles/projects';
import {
  ACCEPT_HEADERS, WRONG_METHODS, fillPath, pick, randomBody, randomQuery, seededRandom, type Random,
} from '../helpers/fuzz-requests';
import { csrfFrom, logIn, startTestSite, type TestSite } from '../helpers/site';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 2500);
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const BODY_LIMIT = 64 * 1024;

/** A stack frame (`at fn (file.ts:12:3)`), an exception name or SQL text in a response. */
const LEAK = /\n\s+at .+:\d+:\d+\)?|QueryFailedError|TypeError|ReferenceError|SELECT .+ FROM|INSERT INTO|node_modules/;

type Agent = ReturnType<typeof supertest.agent>;

interface Actor {
  name: 'anonymous' | 'member' | 'superuser';
  agent: Agent;
  csrf: string;
}

describe(`fuzz: ${REQUESTS} malformed requests over every route (seed ${SEED})`, () => {
  let site: TestSite;
  let routes: RouteInfo[];
  let uuids: string[];
  let actors: Actor[];

  const login = async (name: Actor['name']): Promise<Actor> => {
    const agent = name === 'anonymous' ? supertest.agent(site.app) : await logIn(site.app, name === 'superuser' ? 'admin' : 'member');
    return { name, agent, csrf: csrfFrom((await agent.get('/login').query({ next: '/' }).redirects(1)).text) };
  };

  before(async () => {
    site = await startTestSite({ env: { ALLOW_ANONYMOUS: 'true', BODY_LIMIT_BYTES: String(BODY_LIMIT), LOGIN_THROTTLE_IP_MAX: '1000000', LOGIN_THROTTLE_MAX: '1000000' } });
    const owner = await site.createUser({ username: 'owner' });
    const member = await site.createUser({ username: 'member' });
    const category = await createProject(site.db.dataSource, { title: 'Fuzz', type: 'CATEGORY', parent: null, owner });
    const projects: Project[] = [];
    for (const title of ['Open', 'Closed']) {
      projects.push(await createProject(site.db.dataSource, { title, type: 'PROJECT', parent: category, owner, publicAccess: title === 'Open' ? 'project guest' : null }));
    }
    await assignRole(site.db.dataSource, projects[0]!, member, 'project contributor');
    await assignRole(site.db.dataSource, category, member, 'project guest');
    routes = site.routes();
    actors = [await login('anonymous'), await login('member'), await login('superuser')];
    // Events, so timeline routes find real ones.
    await actors[2]!.agent.post(`/timeline/api/create/${projects[0]!.sodar_uuid}`).set('X-CSRFToken', actors[2]!.csrf)
      .send([{ event_name: 'fuzz_seed', status_type: 'OK', extra_data: { a: 1 } }, { event_name: 'classified', classified: true }]).expect(201);
    uuids = await knownUuids(site);
  });
  after(async () => {
    await site.close();
    await site.location.remove();
  });

  it('reads the routes from the routers, plugins included', () => {
    const paths = new Set(routes.map((r) => r.path));
    for (const expected of ['/login', '/project/:project', '/project/members/update/:roleassignment', '/timeline/api/create/:project', '/example_backend_app/ajax/hello', '/plugins/ajax/list']) {
      assert.ok(paths.has(expected), `${expected} is among the ${routes.length} routes`);
    }
  });

  it('never answers 5xx nor shows a stack trace or SQL', async (t) => {
    const random = seededRandom(SEED);
    const randomUuid = () => randomUUID();
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (let i = 0; i < REQUESTS; i += 1) {
      const actorIndex = Math.floor(random() * actors.length);
      const actor = actors[actorIndex]!;
      const route = pick(random, routes);
      const request = describeRequest(random, route, uuids, randomUuid, actor);
      const res = await send(actor.agent, request);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500 || LEAK.test(res.text ?? '')) failures.push(`#${i} ${actor.name} ${request.method} ${request.url} [${request.body.contentType}] -> ${res.status} ${(res.text ?? '').slice(0, 200)}`);
      // A logout (or a login as someone else) changes who the agent is: log the actor in again.
      if (route.path === '/logout' || route.path === '/login') actors[actorIndex] = await login(actor.name);
    }
    const summary = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}: ${n}`).join(', ');
    t.diagnostic(`${REQUESTS} requests, statuses ${summary}`);
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} of ${REQUESTS} requests failed (statuses ${summary})`);
    assert.ok(statuses.size >= 5, `the requests reach many outcomes (${summary})`);
  });
});

/** UUIDs of everything in the database, for path parameters and fields. */
async function knownUuids(site: TestSite): Promise<string[]> {
  const rows: Array<{ sodar_uuid: string }> = await site.db.dataSource.query(
    `SELECT sodar_uuid FROM projectroles_project UNION ALL SELECT sodar_uuid FROM projectroles_user
     UNION ALL SELECT sodar_uuid FROM projectroles_roleassignment UNION ALL SELECT sodar_uuid FROM timeline_event
     UNION ALL SELECT sodar_uuid FROM timeline_eventstatus UNION ALL SELECT sodar_uuid FROM projectroles_plugin`,
  );
  return rows.map((row) => row.sodar_uuid);
}

interface FuzzRequest {
  method: string;
  url: string;
  accept: string | undefined;
  csrfHeader: string | undefined;
  body: ReturnType<typeof randomBody>;
}

function describeRequest(random: Random, route: RouteInfo, uuids: string[], randomUuid: () => string, actor: Actor): FuzzRequest {
  const method = random() < 0.15 ? pick(random, WRONG_METHODS) : route.method;
  const csrfChoice = random();
  // Mostly the right token (so requests reach the handlers), else none or a wrong one.
  const csrf = csrfChoice < 0.7 ? actor.csrf : csrfChoice < 0.85 ? null : 'A'.repeat(32);
  const inHeader = random() < 0.5;
  return {
    method,
    url: `${fillPath(random, route, uuids, randomUuid)}${randomQuery(random, uuids)}`,
    accept: pick(random, ACCEPT_HEADERS),
    csrfHeader: inHeader && csrf ? csrf : undefined,
    body: method === 'GET' || method === 'HEAD' ? { contentType: undefined, text: undefined } : randomBody(random, uuids, inHeader ? null : csrf, BODY_LIMIT),
  };
}

/** Sends it; an event stream is cut after its headers (it never ends by itself). */
async function send(agent: Agent, request: FuzzRequest): Promise<{ status: number; text: string | undefined }> {
  let call = agent[request.method.toLowerCase() as 'get'](request.url).redirects(0).ok(() => true);
  if (request.accept !== undefined) call = call.set('Accept', request.accept);
  if (request.csrfHeader) call = call.set('X-CSRFToken', request.csrfHeader);
  if (request.body.contentType) call = call.set('Content-Type', request.body.contentType);
  if (request.body.text !== undefined) call = call.send(request.body.text);
  call = call.buffer(true).parse((response, done) => {
    // superagent hands the parser Node's response, whatever its typings say.
    const res = response as unknown as IncomingMessage;
    if (String(res.headers['content-type']).startsWith('text/event-stream')) {
      res.destroy();
      return done(null, '');
    }
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (text += chunk));
    res.on('end', () => done(null, text));
  });
  const res = await call;
  return { status: res.status, text: typeof res.body === 'string' ? res.body : res.text };
}
