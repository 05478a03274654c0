/**
 * `npm run new-plugin -- NAME --type backend|project|site [--dir FOLDER]`
 * Writes a working drop-in plugin folder (plugin, api, routes, a page for project and site
 * apps, a test) into the first PLUGIN_DIRS folder (./plugins by default), or FOLDER. A name
 * the site would refuse at start (reserved, or held by a built-in or drop-in plugin) is
 * refused here, by the registry's own check.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../app/config';
import { createRegistry, siteRules } from '../app/site';
import { nameConflict, PLUGIN_NAME_PATTERN, prefixConflict } from '../projectroles/plugin-validation';
import { pluginFiles, type ScaffoldType } from './scaffold-templates';

const USAGE = 'usage: npm run new-plugin -- NAME --type backend|project|site [--dir FOLDER]';
const ROOT = path.resolve(__dirname, '..');

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

/** Why the site would refuse a plugin `name` in `folder` at start, or null: checked against every plugin it would load. */
function nameProblem(name: string, folder: string, config: Config): string | null {
  const pluginDirs = [...new Set([...config.pluginDirs, path.dirname(folder)])];
  // A broken drop-in must not stop scaffolding: the site reports it at start.
  const registry = createRegistry({ ...config, pluginDirs, pluginBootFailure: 'continue' }, siteRules(config));
  const claim = { source: folder, type: null, core: false };
  // The scaffold mounts the plugin at its name, which must also be free as a URL prefix.
  return nameConflict(name, claim, registry.all()) ?? prefixConflict(name, claim, registry.all());
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { type: { type: 'string' }, dir: { type: 'string' } } });
const [name] = positionals;
const type = values.type as ScaffoldType | undefined;
if (!name || !type) fail(USAGE);
if (!PLUGIN_NAME_PATTERN.test(name)) fail(`NAME must match ${PLUGIN_NAME_PATTERN.source} (got "${name}")`);
if (!['backend', 'project', 'site'].includes(type)) fail(`--type must be backend, project or site (got "${type}")`);

const config = loadConfig(process.env);
const parent = values.dir ? path.resolve(values.dir) : config.pluginDirs[0];
if (!parent) fail('No folder to write to: give --dir or set PLUGIN_DIRS');
const folder = path.join(parent, name);
if (fs.existsSync(folder)) fail(`${folder} exists already; choose another name or remove it`);
const problem = nameProblem(name, folder, config);
if (problem) fail(`The site would refuse this plugin: ${problem}; choose another name`);

// Imports in the generated files point at this repository, wherever the folder is.
const toRoot = path.relative(folder, ROOT).split(path.sep).join('/') || '.';
for (const [file, content] of Object.entries(pluginFiles(name, type, toRoot))) {
  fs.mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
  fs.writeFileSync(path.join(folder, file), content);
  console.log(`wrote ${path.join(folder, file)}`);
}
console.log(`\nPlugin "${name}" (${type}) is ready: it is registered at the next start. Test it with npm test.`);
