/**
 * Membership changes of one project racing each other, over HTTP, through two site
 * instances (on PostgreSQL each has its own pool, so both requests really run at once in
 * the database; on the embedded one they interleave at await points). After every round:
 * one owner, delegates within DELEGATE_LIMIT, one local role per user, and each request
 * either succeeded (302) or was refused with a message (400/404/409), never a 5xx.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import express from 'express';
import supertest from 'supertest';
import { QueryFailedError } from 'typeorm';
import { errorHandler } from '../../app/error-handler';
import type { Project, User } from '../../projectroles/entities';
import { assignRole, createProject } from '../../projectroles/projects';
import { databaseKind } from '../helpers/database';
import { csrfTokenOf, logIn, startTestSite, type TestSite } from '../helpers/site';

type Agent = Awaited<ReturnType<typeof logIn>>;
/** One side of a race: a logged-in agent on one site instance and its CSRF token. */
interface Client {
  agent: Agent;
  token: string;
}
interface Answer {
  status: number;
  location: string;
  text: string;
}
type Outcome = 'done' | 'refused' | 'denied';
type Request = (client: Client) => Promise<Answer>;

// PostgreSQL races for real; the embedded database only interleaves at await points.
const ROUNDS = databaseKind === 'postgres' ? 20 : 15;
const REFUSED = [400, 404, 409];
/**
 * The later request of a race starts up to this much after the first: requests take tens of
 * milliseconds, so random offsets in this range make every step of one meet every step of the other.
 */
const STAGGER_MS = 25;

/** A small seeded generator (mulberry32), so a failing order can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const post = (path: string, fields: Record<string, string>): Request => async ({ agent, token }) => {
  const res = await agent.post(path).type('form').send({ ...fields, _csrf: token });
  return { status: res.status, location: String(res.headers.location ?? ''), text: res.text };
};

describe(`concurrent member changes (${databaseKind}, ${ROUNDS} rounds per pair)`, () => {
  let first: TestSite;
  let second: TestSite;
  let users: Record<string, User>;
  let category: Project;
  let clients: [Client, Client];
  const random = seededRandom(10);
  let projectCount = 0;

  before(async () => {
    const env = { DELEGATE_LIMIT: '1' };
    first = await startTestSite({ env });
    // The embedded database serves one process: the second instance shares its handle.
    second = await startTestSite({ env, location: first.location, ...(databaseKind === 'embedded' ? { sharedWith: first } : {}) });
    users = {};
    for (const name of ['olga', 'boss', 'xena', 'yuri', 'dora', 'dima', 'newt']) users[name] = await first.createUser({ username: name, name: `${name} person` });
    // The category's owner is someone else, so Olga's role after a transfer is hers alone to choose.
    category = await createProject(first.db.dataSource, { title: 'Races', type: 'CATEGORY', parent: null, owner: users.boss! });
    const client = async (site: TestSite) => {
      const agent = await logIn(site.app, 'olga');
      return { agent, token: await csrfTokenOf(agent) };
    };
    clients = [await client(first), await client(second)];
  });
  after(async () => {
    await second.close();
    await first.close();
    await first.location.remove();
  });

  /** A fresh project owned by Olga, with Xena and Yuri as contributors. */
  async function freshProject(): Promise<Project> {
    const ds = first.db.dataSource;
    const project = await createProject(ds, { title: `Race ${++projectCount}`, type: 'PROJECT', parent: category, owner: users.olga! });
    await assignRole(ds, project, users.xena!, 'project contributor');
    await assignRole(ds, project, users.yuri!, 'project contributor');
    return project;
  }

  const assignmentOf = async (project: Project, username: string): Promise<string> =>
    (await first.db.dataSource.query('SELECT ra.sodar_uuid FROM projectroles_roleassignment ra WHERE ra.project_id = $1 AND ra.user_id = $2', [project.id, users[username]!.id]))[0].sodar_uuid;

  /** Starts both requests in a random order and offset, each through a random one of the two sites. */
  async function race(requests: [Request, Request]): Promise<[Answer, Answer]> {
    const swapSites = random() < 0.5;
    const started = requests.map((request, i) => ({ request, client: clients[(i + (swapSites ? 1 : 0)) % 2]! }));
    if (random() < 0.5) started.reverse();
    const offset = Math.floor(random() * STAGGER_MS);
    const [firstOne, laterOne] = started as [(typeof started)[0], (typeof started)[0]];
    const answers = await Promise.all([firstOne.request(firstOne.client), delay(offset).then(() => laterOne.request(laterOne.client))]);
    if (firstOne.request !== requests[0]) answers.reverse();
    return answers;
  }

  async function assertInvariants(project: Project): Promise<void> {
    const [counts] = await first.db.dataSource.query(
      `SELECT count(*) FILTER (WHERE r.name = 'project owner')::int AS owners, count(*) FILTER (WHERE r.name = 'project delegate')::int AS delegates,
         count(*)::int - count(DISTINCT ra.user_id)::int AS duplicates
       FROM projectroles_roleassignment ra JOIN projectroles_role r ON r.id = ra.role_id WHERE ra.project_id = $1`,
      [project.id],
    );
    assert.equal(counts.owners, 1, `${project.title}: exactly one owner`);
    assert.ok(counts.delegates <= 1, `${project.title}: ${counts.delegates} delegates with DELEGATE_LIMIT=1`);
    assert.equal(counts.duplicates, 0, `${project.title}: one local role per user`);
  }

  /**
   * What became of a request: done (back to the members page), refused with a message on the
   * form or the error page, or denied by the page's guard, which redirects home as SODAR does
   * (the other change came first and took the right away, e.g. the target is now the owner).
   */
  function outcomeOf(answer: Answer, what: string): Outcome {
    if (answer.status === 302 && answer.location.startsWith('/project/members/')) return 'done';
    if (answer.status === 302 && answer.location === '/') return 'denied';
    assert.ok(REFUSED.includes(answer.status), `${what}: status ${answer.status}, expected 302 or one of ${REFUSED.join(', ')}\n${answer.text.slice(0, 400)}`);
    assert.match(answer.text, /id="sodar-(form-error|error-message)"[^>]*>\s*\S/, `${what}: a ${answer.status} with a message`);
    return 'refused';
  }

  /**
   * Runs the rounds of one racing pair on fresh projects: each answer must be one of its
   * `allowed` outcomes and `done` of them succeed (null: either number). Returns how often
   * each pair of outcomes came, to show both orders happened.
   */
  async function rounds(pair: (project: Project) => Promise<[Request, Request]>, allowed: [Outcome[], Outcome[]], done: number | null): Promise<string> {
    const tally = new Map<string, number>();
    for (let round = 0; round < ROUNDS; round++) {
      const project = await freshProject();
      const answers = await race(await pair(project));
      const outcomes = answers.map((answer, i) => outcomeOf(answer, `${project.title}, request ${i + 1}`));
      outcomes.forEach((outcome, i) => assert.ok(allowed[i]!.includes(outcome), `${project.title}, request ${i + 1}: ${outcome}, expected ${allowed[i]!.join(' or ')}`));
      if (done !== null) assert.equal(outcomes.filter((o) => o === 'done').length, done, `${project.title}: ${done} of the two succeed`);
      await assertInvariants(project);
      tally.set(outcomes.join('/'), (tally.get(outcomes.join('/')) ?? 0) + 1);
    }
    return [...tally].map(([outcomes, count]) => `${outcomes} x${count}`).join(', ');
  }

  const transfer = (project: Project, newOwner: string) => post(`/project/members/owner/transfer/${project.sodar_uuid}`, { new_owner: newOwner, old_owner_role: 'project contributor' });
  const add = (project: Project, user: string, role: string) => post(`/project/members/create/${project.sodar_uuid}`, { user, role });

  it('owner transfer to X against a change of X\'s role: the project keeps its owner', async (t) => {
    const change = async (project: Project) => post(`/project/members/update/${await assignmentOf(project, 'xena')}`, { role: 'project guest' });
    t.diagnostic(await rounds(async (project) => [transfer(project, 'xena'), await change(project)], [['done'], ['done', 'refused', 'denied']], null));
  });

  it('owner transfer to X against removing X: one of them wins, the other says why', async (t) => {
    const removal = async (project: Project) => post(`/project/members/delete/${await assignmentOf(project, 'xena')}`, {});
    t.diagnostic(await rounds(async (project) => [transfer(project, 'xena'), await removal(project)], [['done', 'refused'], ['done', 'refused', 'denied']], 1));
  });

  it('two delegates added at once with DELEGATE_LIMIT=1: one is refused', async (t) => {
    const both: Outcome[] = ['done', 'refused'];
    t.diagnostic(await rounds(async (project) => [add(project, 'dora', 'project delegate'), add(project, 'dima', 'project delegate')], [both, both], 1));
  });

  it('two owner transfers at once, to different users: the later finds its actor no longer owner', async (t) => {
    const any: Outcome[] = ['done', 'refused', 'denied'];
    t.diagnostic(await rounds(async (project) => [transfer(project, 'xena'), transfer(project, 'yuri')], [any, any], 1));
  });

  it('two owner transfers at once, to the same user: one succeeds', async (t) => {
    const any: Outcome[] = ['done', 'refused', 'denied'];
    t.diagnostic(await rounds(async (project) => [transfer(project, 'xena'), transfer(project, 'xena')], [any, any], 1));
  });

  it('the same user added twice at once (typed username, picked uuid): one is refused', async (t) => {
    const both: Outcome[] = ['done', 'refused'];
    t.diagnostic(await rounds(async (project) => [add(project, 'newt', 'project guest'), add(project, users.newt!.sodar_uuid, 'project guest')], [both, both], 1));
  });
});

describe('a unique violation that slips through (the loser of a race elsewhere)', () => {
  /** An app whose one route fails as a query would when a row with that key was just inserted. */
  function failingApp(error: unknown) {
    const app = express();
    app.get('/ajax/duplicate', () => {
      throw error;
    });
    app.use(errorHandler);
    return app;
  }
  const duplicateKey = () => Object.assign(new Error('duplicate key value violates unique constraint "x"'), { code: '23505' });

  it('answers 409 with a message, wrapped by TypeORM or not', async () => {
    for (const error of [new QueryFailedError('INSERT ...', [], duplicateKey()), duplicateKey()]) {
      const res = await supertest(failingApp(error)).get('/ajax/duplicate').expect(409);
      assert.match(res.body.detail, /conflicts with a change made at the same time/);
    }
  });
});
