/**
 * The guard of every project route: resolves the `:project` UUID (404 when malformed or
 * unknown), loads the user's access in a constant number of queries, and checks the
 * route's rule. Denied: pages redirect (login when anonymous, else home), Ajax gets 403.
 */
import type { NextFunction, Request, Response } from 'express';
import type { DataSource } from 'typeorm';
import { validate as isUuid } from 'uuid';
import { NotFoundError, PermissionDeniedError } from '../app/errors';
import type { RoleName } from './entities';
import { clientAddress, isAllowed } from './ip-allow-list';
import type { ProjectAccess } from './project-rules';
import { childAccess } from './roles';
import type { ProjectRow } from './projects';
import type { RuleSet } from './rules';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by projectGuard: the project of the route and what the user may do there. */
    project?: ProjectRow;
    projectAccess?: ProjectAccess;
  }
}

export interface GuardDeps {
  dataSource: DataSource;
  rules: RuleSet;
  allowAnonymous: boolean;
  /** TRUST_PROXY: whether X-Forwarded-For and Forwarded name the client (for the IP allow list). */
  trustProxy: boolean;
}

/** The projectroles PROJECT settings every project request obeys (access block, IP allow list, public stats). */
const GUARD_SETTINGS = ['project_access_block', 'ip_restrict', 'ip_allow_list', 'category_public_stats'];

/**
 * The project with its public role and the user's role, in ONE statement (every project
 * page and endpoint starts here, so a round trip less counts): the same answers as
 * projectsByUuid + loadProjectAccess, whose queries it folds together. Whether the user
 * has a role below a category is asked apart, only when it decides something (see
 * resolveProject).
 */
const PROJECT_WITH_ACCESS = `
  SELECT p.*, pr.name AS public_role,
    er.name AS role_name, er.rank AS role_rank, er.inherited AS role_inherited, gs.guard_settings
  FROM projectroles_project p
  LEFT JOIN projectroles_role pr ON pr.id = p.public_access_id
  LEFT JOIN LATERAL (
    SELECT r.name, r.rank, ra.project_id <> p.id AS inherited
    FROM projectroles_roleassignment ra
    JOIN projectroles_role r ON r.id = ra.role_id AND p.type = ANY (r.project_types)
    JOIN projectroles_project assigned ON assigned.id = ra.project_id
    WHERE ra.user_id = $2 AND (ra.project_id = p.id OR ra.project_id = ANY (p.ancestor_ids))
    ORDER BY r.rank, cardinality(assigned.ancestor_ids) DESC
    LIMIT 1) er ON true
  LEFT JOIN LATERAL (
    SELECT json_object_agg(s.name, s.value) AS guard_settings
    FROM projectroles_appsetting s
    WHERE s.project_id = p.id AND s.user_id IS NULL AND s.plugin_name = 'projectroles' AND s.name = ANY ($3::text[])) gs ON true
  WHERE p.sodar_uuid = $1`;

interface GuardSettings {
  project_access_block?: boolean;
  ip_restrict?: boolean;
  ip_allow_list?: string;
  category_public_stats?: boolean;
}
type ProjectWithAccess = ProjectRow & { role_name: RoleName | null; role_rank: number | null; role_inherited: boolean | null; guard_settings: GuardSettings | null };

/** Loads the project named by `req.params[param]` and the user's access to it. */
export function resolveProject(deps: GuardDeps, req: Request, param = 'project'): Promise<{ project: ProjectRow; access: ProjectAccess }> {
  return resolveProjectUuid(deps, req, String(req.params[param]), param);
}

/** Loads the project `uuid` (named `what` in a 404) and the user's access to it, guard settings included. */
export async function resolveProjectUuid(deps: Pick<GuardDeps, 'dataSource'>, req: Request, uuid: string, what = 'project'): Promise<{ project: ProjectRow; access: ProjectAccess }> {
  if (!isUuid(uuid)) throw new NotFoundError(`Not found: ${what} "${uuid}" is not a valid UUID`);
  const [row]: ProjectWithAccess[] = await deps.dataSource.query(PROJECT_WITH_ACCESS, [uuid, req.user?.id ?? -1, GUARD_SETTINGS]);
  if (!row) throw new NotFoundError(`No project or category with sodar_uuid ${uuid}`);
  const { role_name: roleName, role_rank: rank, role_inherited: inherited, guard_settings: settings, ...project } = row;
  const role = roleName ? { role: roleName, rank: rank!, inherited: inherited! } : null;
  const isCategory = project.type === 'CATEGORY';
  // A role below a category only matters to a logged-in user without one on it (hasCategoryChildRole).
  // Apart from the statement above: its best plan depends on the user (a few roles or thousands).
  const childRole = isCategory && role === null && req.user ? ((await childAccess(deps.dataSource, req.user.id, [project.id])).get(project.id)?.childRole ?? false) : false;
  return {
    project,
    access: {
      project,
      role,
      publicRole: project.public_role,
      childRole,
      publicChild: isCategory && project.has_public_children,
      ...entryFlags(project, settings),
    },
  };
}

/** The guard's view of a project's settings: the block and IP list (projects only), public stats (top-level categories). */
function entryFlags(project: Pick<ProjectRow, 'type' | 'parent_id'>, settings: GuardSettings | null | undefined): Pick<ProjectAccess, 'blocked' | 'ipAllowList' | 'publicStats'> {
  const isCategory = project.type === 'CATEGORY';
  return {
    blocked: !isCategory && settings?.project_access_block === true,
    ipAllowList: !isCategory && settings?.ip_restrict === true ? (settings.ip_allow_list ?? '') : null,
    publicStats: isCategory && project.parent_id === null && settings?.category_public_stats === true,
  };
}

/**
 * The same flags for many projects in one statement, for code that reaches a project other
 * than through a `:project` route (an event's project, say) and must obey the same entry checks.
 */
export async function loadEntryFlags(
  db: Pick<DataSource, 'query'>,
  projects: ReadonlyArray<Pick<ProjectRow, 'id' | 'type' | 'parent_id'>>,
): Promise<Map<number, Pick<ProjectAccess, 'blocked' | 'ipAllowList' | 'publicStats'>>> {
  const rows: Array<{ project_id: number; settings: GuardSettings }> = projects.length
    ? await db.query(
        `SELECT project_id, json_object_agg(name, value) AS settings FROM projectroles_appsetting
         WHERE project_id = ANY ($1::int[]) AND user_id IS NULL AND plugin_name = 'projectroles' AND name = ANY ($2::text[])
         GROUP BY project_id`,
        [projects.map((p) => p.id), GUARD_SETTINGS],
      )
    : [];
  const stored = new Map(rows.map((row) => [row.project_id, row.settings]));
  return new Map(projects.map((project) => [project.id, entryFlags(project, stored.get(project.id))]));
}

export const ACCESS_BLOCKED_MESSAGE = 'Access to project temporarily blocked by an administrator, please try again later.';

/**
 * Denials that come before any rule (reference core §6.4.3-4): an access block shuts out
 * everyone but superusers, public access included; an IP allow list everyone but superusers
 * and owners or delegates (inherited too) connecting from elsewhere.
 */
export function projectEntryDenial(deps: Pick<GuardDeps, 'trustProxy'>, req: Request, access: ProjectAccess): PermissionDeniedError | null {
  if (req.user?.is_superuser) return null;
  // Ajax and REST answer SODAR's text without the final period (reference apps, Appendix A).
  if (access.blocked) return new PermissionDeniedError(ACCESS_BLOCKED_MESSAGE, false, ACCESS_BLOCKED_MESSAGE.slice(0, -1));
  const ownerOrDelegate = access.role !== null && access.role.rank <= 20;
  if (access.ipAllowList !== null && !ownerOrDelegate && !isAllowed(access.ipAllowList, clientAddress(req, deps.trustProxy))) return new PermissionDeniedError();
  return null;
}

/** Middleware: the project exists and the user passes `permission` on it. */
export function projectGuard(deps: GuardDeps, permission: string, param = 'project') {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (!req.user && !deps.allowAnonymous) return next(new PermissionDeniedError('Please log in to see this page.'));
    resolveProject(deps, req, param)
      .then(async ({ project, access }) => {
        req.project = project;
        req.projectAccess = access;
        const denial = projectEntryDenial(deps, req, access);
        if (denial) return next(denial);
        const allowed = await deps.rules.test(permission, req.user ?? null, access);
        next(allowed ? undefined : new PermissionDeniedError());
      })
      .catch(next);
  };
}

/** The project the guard resolved for this request; a route without projectGuard asking for it is a programming error. */
export function guardedProject(req: Request): ProjectRow {
  if (!req.project) throw new Error(`${req.method} ${req.path} reached its handler without the project guard`);
  return req.project;
}
