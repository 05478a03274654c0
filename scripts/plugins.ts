/**
 * `npm run plugins -- list`: every plugin, built in or drop-in, with its type, title,
 * source, whether it is enabled, and its state at the site's last start.
 */
import { loadConfig } from '../app/config';
import { createLogger } from '../app/logger';
import { createRegistry, openSiteDatabase, siteRules } from '../app/site';
import { readPluginRows } from '../projectroles/plugin-states';

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
}

async function list(): Promise<void> {
  // Broken drop-ins are listed as failed instead of stopping the listing.
  const config = { ...loadConfig(process.env), pluginBootFailure: 'continue' as const };
  const registry = createRegistry(config, siteRules(config));
  const db = await openSiteDatabase(config, createLogger('warn'), registry);
  try {
    const states = new Map((await readPluginRows(db.dataSource)).map((row) => [`${row.plugin_type}:${row.name}`, row]));
    const rows = registry.all().map((entry) => {
      const row = states.get(`${entry.type}:${entry.plugin.name}`);
      const state = row ? (row.status === 'failed' ? `failed: ${row.error}` : row.status) : 'not started yet';
      return [entry.plugin.name, entry.type, entry.plugin.title, entry.origin.source, row?.enabled === false ? 'no' : 'yes', state];
    });
    for (const failure of registry.loadFailures) rows.push(['?', '?', '?', failure.folder, '-', `failed: ${failure.error}`]);
    printTable(['name', 'type', 'title', 'source', 'enabled', 'state'], rows);
  } finally {
    await db.dataSource.destroy();
  }
}

const command = process.argv[2];
if (command !== 'list') {
  console.error('usage: npm run plugins -- list');
  process.exit(2);
}
list().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
