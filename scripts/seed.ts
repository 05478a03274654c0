/**
 * `npm run seed -- --demo [--users N] [--password P]`
 * --demo adds the demo users; --users N adds N load-test users. Safe to run again.
 */
import { parseArgs } from 'node:util';
import { DEMO_USERS, seedDemoUsers, seedLoadUsers } from '../projectroles/seed';
import { withSiteDatabase } from './cli';

const { values } = parseArgs({
  options: {
    demo: { type: 'boolean', default: false },
    users: { type: 'string', default: '0' },
    password: { type: 'string', default: 'sodar-demo' },
  },
});

const userCount = Number(values.users);
if (!Number.isInteger(userCount) || userCount < 0) {
  console.error(`--users must be a whole number (got ${JSON.stringify(values.users)})`);
  process.exit(2);
}
if (!values.demo && userCount === 0) {
  console.error('usage: npm run seed -- --demo [--users N] [--password P]');
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

void withSiteDatabase(async (db) => {
  const started = Date.now();
  if (values.demo) {
    const added = await seedDemoUsers(db.dataSource, values.password);
    console.log(`Demo users: ${added} added (${DEMO_USERS.map((u) => u.username).join(', ')}; password "${values.password}")`);
  }
  if (userCount > 0) {
    const added = await seedLoadUsers(db.dataSource, userCount, values.password, progress('Load-test users'));
    console.log(`Load-test users: ${added} added`);
  }
  console.log(`Seeded the ${db.kind} database in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
