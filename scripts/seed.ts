/**
 * `npm run seed -- --demo [--users N] [--projects N [--categories N]] [--password P]`
 * --demo adds the demo users, categories, projects and their timeline history; --users N adds N load-test users;
 * --projects N adds N load-test projects in --categories N categories. Safe to run again.
 */
import { parseArgs } from 'node:util';
import { UserEntity } from '../projectroles/entities';
import { DEMO_USERS, seedDemoProjects, seedDemoSettings, seedDemoUsers, seedLoadProjects, seedLoadUsers } from '../projectroles/seed';
import { AppSettings, SiteValues } from '../projectroles/app-settings';
import { createLogger } from '../app/logger';
import { announceFirstSuperuser, settingDefinitions } from '../app/site';
import { RuleSet } from '../projectroles/rules';
import { TimelineAPI } from '../timeline/api';
import { seedDemoEvents } from '../timeline/demo';
import { withSiteDatabase } from './cli';

const { values } = parseArgs({
  options: {
    demo: { type: 'boolean', default: false },
    users: { type: 'string', default: '0' },
    password: { type: 'string', default: 'sodar-demo' },
    projects: { type: 'string', default: '0' },
    categories: { type: 'string', default: '0' },
  },
});

function count(flag: 'users' | 'projects' | 'categories'): number {
  const value = Number(values[flag]);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`--${flag} must be a whole number (got ${JSON.stringify(values[flag])})`);
    process.exit(2);
  }
  return value;
}
const userCount = count('users');
const projectCount = count('projects');
const categoryCount = count('categories') || Math.max(1, Math.ceil(projectCount / 50));
if (!values.demo && userCount === 0 && projectCount === 0) {
  console.error('usage: npm run seed -- --demo [--users N] [--projects N [--categories N]] [--password P]');
  process.exit(2);
}

function progress(label: string) {
  let last = 0;
  return (done: number, total: number) => {
    if (done === total || Date.now() - last > 1000) {
      last = Date.now();
      process.stdout.write(`\r${label}: ${done}/${total}${done === total ? '\n' : ''}`);
    }
  };
}

void withSiteDatabase(async (db, config, registry, rules) => {
  const started = Date.now();
  // The demo and load-test data need an admin; on a new database this creates it (and says so).
  await announceFirstSuperuser(db, config, createLogger('info'));
  if (values.demo) {
    const added = await seedDemoUsers(db.dataSource, values.password);
    console.log(`Demo users: ${added} added (${DEMO_USERS.map((u) => u.username).join(', ')}; password "${values.password}")`);
    console.log(`Demo categories and projects: ${await seedDemoProjects(db.dataSource)} added`);
    const settings = new AppSettings(db.dataSource, settingDefinitions(registry, rules), new SiteValues());
    console.log(`Demo settings: ${await seedDemoSettings(db.dataSource, settings)} added`);
    const timeline = new TimelineAPI({ dataSource: db.dataSource, registry, rules: new RuleSet(), repeatWindowSeconds: 60 });
    console.log(`Demo timeline events: ${await seedDemoEvents(timeline, db.dataSource)} added`);
  }
  if (userCount > 0) {
    const added = await seedLoadUsers(db.dataSource, userCount, values.password, progress('Load-test users'));
    console.log(`Load-test users: ${added} added`);
  }
  if (projectCount > 0) {
    const owner = await db.dataSource.getRepository(UserEntity).findOneBy({ username: 'admin' });
    if (!owner) throw new Error('Load-test projects need the user admin as owner: start the site once first');
    const added = await seedLoadProjects(db.dataSource, { categories: categoryCount, projects: projectCount, ownerId: owner.id });
    console.log(`Load-test projects: ${added} added in ${categoryCount} categories (owner admin)`);
  }
  console.log(`Seeded the ${db.kind} database in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
