/**
 * `npm run blockprojectaccess -- --project UUID --mode 0|1` (SODAR's blockprojectaccess,
 * reference apps §5.8): switches projectroles.project_access_block of one project, as a
 * superuser would in the project form. No timeline event, as in SODAR.
 */
import { parseArgs } from 'node:util';
import { validate as isUuid } from 'uuid';
import { AppSettings, SiteValues } from '../projectroles/app-settings';
import { projectsByUuid } from '../projectroles/projects';
import { settingDefinitions } from '../app/site';
import { CommandError, withSiteDatabase } from './cli';

const USAGE = 'usage: npm run blockprojectaccess -- --project UUID --mode 0|1';

const { values } = parseArgs({ options: { project: { type: 'string', short: 'p' }, mode: { type: 'string', short: 'm' } } });
const { project: uuid, mode } = values;
if (uuid === undefined || mode === undefined) {
  console.error(USAGE);
  process.exit(2);
}

/** SODAR converts with int() first, then accepts 0 and 1 only. */
function blockFromMode(text: string): boolean {
  if (!/^\s*[-+]?\d+\s*$/.test(text)) throw new CommandError(`Exception converting mode "${text}": not an integer`);
  const number = Number(text);
  if (number !== 0 && number !== 1) throw new CommandError(`Invalid mode: ${number} (accepted: 0, 1)`);
  return number === 1;
}

void withSiteDatabase(async (db, _config, registry, rules) => {
  const [project] = isUuid(uuid) ? await projectsByUuid(db.dataSource, [uuid]) : [];
  if (!project) throw new CommandError(`Project not found with UUID: ${uuid}`);
  if (project.type !== 'PROJECT') throw new CommandError('This action only supports projects of PROJECT type');
  const block = blockFromMode(mode);
  const settings = new AppSettings(db.dataSource, settingDefinitions(registry, rules), new SiteValues());
  await settings.set('projectroles', 'project_access_block', block, { project });
  console.log(`Project access block ${block ? 'enabled' : 'disabled'}: ${project.title} (${project.sodar_uuid})`);
});
