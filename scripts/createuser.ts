/**
 * `npm run createuser -- --username U --email E [--name N] [--superuser] [--password P]`
 * The password comes from --password, else USER_PASSWORD, else a prompt.
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { createUser } from '../projectroles/users';
import { withSiteDatabase } from './cli';

const USAGE = 'usage: npm run createuser -- --username U --email E [--name N] [--superuser] [--password P]';

async function askPassword(): Promise<string> {
  if (!process.stdin.isTTY) throw new Error('No password: pass --password, set USER_PASSWORD, or run in a terminal');
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await prompt.question('Password: ');
  } finally {
    prompt.close();
  }
}

const { values } = parseArgs({
  options: {
    username: { type: 'string' },
    email: { type: 'string', default: '' },
    name: { type: 'string', default: '' },
    password: { type: 'string' },
    superuser: { type: 'boolean', default: false },
  },
});

if (!values.username) {
  console.error(USAGE);
  process.exit(2);
}

void withSiteDatabase(async (db) => {
  // Read here, not in app/config.ts: it is an input of this command, not of the site.
  const password = values.password ?? process.env.USER_PASSWORD ?? (await askPassword());
  const user = await createUser(db.dataSource, {
    username: values.username!,
    email: values.email,
    name: values.name,
    password,
    isSuperuser: values.superuser,
  });
  console.log(`Created ${user.is_superuser ? 'superuser' : 'user'} ${user.username} (${user.sodar_uuid})`);
});
