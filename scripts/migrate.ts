/** `npm run migrate`: applies pending migrations (the site also does so at start). */
import { withSiteDatabase } from './cli';

void withSiteDatabase(async (db) => {
  const applied: Array<{ name: string }> = await db.dataSource.query('SELECT name FROM app_migrations ORDER BY id');
  console.log(`Database is up to date (${db.kind}); ${applied.length} migration(s) applied:`);
  for (const row of applied) console.log(`  ${row.name}`);
});
