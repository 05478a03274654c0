/**
 * `npm run cleanappsettings [-- --check] [-- --superuser]` (SODAR's cleanappsettings,
 * reference apps §5.6): deletes, or with --check only reports, stored settings whose
 * definition is gone (plugin or setting), whose project's type the definition does not
 * allow, and PROJECT_USER settings of users without a role in the project (superusers'
 * only with --superuser). Definitions are the site's: projectroles' and every plugin's
 * that PLUGIN_DIRS and the built-in list register.
 */
import { parseArgs } from 'node:util';
import type { SettingDefinitions } from '../projectroles/app-setting-definitions';
import { settingDefinitions } from '../app/site';
import { withSiteDatabase } from './cli';

const { values } = parseArgs({ options: { check: { type: 'boolean', short: 'c', default: false }, superuser: { type: 'boolean', short: 's', default: false } } });

interface StoredSetting {
  id: number;
  plugin_name: string;
  name: string;
  project_title: string | null;
  project_type: string | null;
  username: string | null;
  is_superuser: boolean | null;
  /** Rows with a project and a user: whether the user has a role there, local or inherited. */
  has_role: boolean | null;
}

/** Every row with what the checks need, in one statement (roles as the project guard finds them). */
const STORED_SETTINGS = `
  SELECT s.id, s.plugin_name, s.name, p.title AS project_title, p.type AS project_type, u.username, u.is_superuser,
    CASE WHEN s.project_id IS NOT NULL AND s.user_id IS NOT NULL THEN EXISTS (
      SELECT 1 FROM projectroles_roleassignment ra JOIN projectroles_role r ON r.id = ra.role_id AND p.type = ANY (r.project_types)
      WHERE ra.user_id = s.user_id AND (ra.project_id = p.id OR ra.project_id = ANY (p.ancestor_ids))) END AS has_role
  FROM projectroles_appsetting s
  LEFT JOIN projectroles_project p ON p.id = s.project_id
  LEFT JOIN projectroles_user u ON u.id = s.user_id
  ORDER BY s.id`;

/** Why a row goes, or null when it stays. */
function problemOf(row: StoredSetting, definitions: SettingDefinitions, superusersToo: boolean): string | null {
  const def = definitions.find(row.plugin_name, row.name);
  if (!def) return 'definition not found';
  if (row.project_type !== null && !def.projectTypes.includes(row.project_type as 'PROJECT' | 'CATEGORY')) {
    return `project type "${row.project_type}" does not match allowed types: [${def.projectTypes.map((t) => `'${t}'`).join(', ')}]`;
  }
  if (row.has_role === false && (superusersToo || !row.is_superuser)) return 'user has no role in project';
  return null;
}

const quoted = (value: string | null) => (value === null ? 'None' : `"${value}"`);

void withSiteDatabase(async (db, _config, registry, rules) => {
  const definitions = settingDefinitions(registry, rules);
  const rows: StoredSetting[] = await db.dataSource.query(STORED_SETTINGS);
  const doomed: number[] = [];
  for (const row of rows) {
    const problem = problemOf(row, definitions, values.superuser);
    if (!problem) continue;
    doomed.push(row.id);
    console.log(`${values.check ? 'Found' : 'Deleting'} "settings.${row.plugin_name}.${row.name}" (project=${quoted(row.project_title)}; user=${quoted(row.username)}): ${problem}`);
  }
  if (!values.check && doomed.length > 0) await db.dataSource.query('DELETE FROM projectroles_appsetting WHERE id = ANY ($1::int[])', [doomed]);
  console.log('OK');
});
