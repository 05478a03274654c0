/** projectroles Ajax views (reference §5.2): session auth, JSON, 403 when denied. */
import express from 'express';
import { validate as isUuid } from 'uuid';
import { pageNumber, refuseEmptyPage } from '../app/pagination';
import { BadInputError, HttpError, NotFoundError, PermissionDeniedError } from '../app/errors';
import { projectAppLinks, projectListColumns, siteAppLinks } from './app-links';
import type { AppSettings } from './app-settings';
import type { ProjectAppPluginPoint } from './plugin-points';
import { loadProjectAccess } from './project-rules';
import { projectGuard, resolveProject, type GuardDeps } from './project-access';
import type { PluginRegistry } from './registry';
import { listChildren, type ListedProject } from './project-list';
import { projectsByUuid } from './projects';
import { effectiveRoles } from './roles';
import { serializeUser } from './serializers';
import { toggleStar } from './stars';
import { projectListPageSize, userSettingsOf } from './user-settings';

export const PROJECT_LIST_PAGE_SIZE = 100;

function serializeListed(project: ListedProject, parentFullTitle: string | null) {
  return {
    uuid: project.sodar_uuid,
    type: project.type,
    title: project.title,
    full_title: parentFullTitle ? project.full_title.slice(parentFullTitle.length + 3) : project.full_title,
    description: project.description,
    public_access: project.public_role !== null,
    archive: project.archive,
    starred: project.starred,
    access: project.access,
    role: project.role,
    inherited: project.inherited,
    blocked: project.blocked,
  };
}

export function projectrolesAjaxRoutes(deps: GuardDeps & { registry: PluginRegistry; settings: AppSettings }): express.Router {
  const router = express.Router();
  const loggedIn: express.RequestHandler = (req, _res, next) =>
    next(req.user || deps.allowAnonymous ? undefined : new PermissionDeniedError('Authentication required.'));

  router.get('/ajax/list', loggedIn, async (req, res) => {
    const page = pageNumber(req.query.page);
    let parent = null;
    if (req.query.parent !== undefined) {
      if (!isUuid(String(req.query.parent))) throw new NotFoundError(`Not found: parent "${String(req.query.parent)}" is not a valid UUID`);
      req.params.project = String(req.query.parent);
      const resolved = await resolveProject(deps, req);
      if (resolved.project.type !== 'CATEGORY') throw new BadInputError('parent: must be a category, not a project');
      if (!(await deps.rules.test('projectroles.view_project', req.user ?? null, resolved.access))) throw new PermissionDeniedError();
      parent = resolved.project;
    }
    // One statement whether or not `starred` is given: the page size comes from the same read.
    const userSettings = await userSettingsOf(deps.settings, req);
    const starredOnly = req.query.starred === undefined ? userSettings['settings.projectroles.project_list_home_starred'] === true : req.query.starred === '1';
    const pageSize = projectListPageSize(userSettings, PROJECT_LIST_PAGE_SIZE);
    const listed = await listChildren(deps.dataSource, {
      parentId: parent?.id ?? null,
      user: req.user ?? null,
      allowAnonymous: deps.allowAnonymous,
      starredOnly,
      limit: pageSize + 1,
      offset: (page - 1) * pageSize,
    });
    refuseEmptyPage(page, listed.length);
    const more = listed.length > pageSize;
    const projects = listed.slice(0, pageSize).map((p) => serializeListed(p, parent?.full_title ?? null));
    res.json({
      projects,
      parent_depth: parent ? parent.ancestor_ids.length + 1 : 0,
      next_page: more ? page + 1 : null,
      messages: projects.length === 0 && page === 1 ? { no_projects: starredOnly ? 'No starred projects or categories.' : 'No projects or categories available.' } : {},
      user: { superuser: req.user?.is_superuser === true },
    });
  });

  router.post('/ajax/star/home', loggedIn, async (req, res) => {
    if (!req.user) throw new PermissionDeniedError('Authentication required.');
    const value = String((req.body as { value?: unknown } | undefined)?.value ?? '');
    if (value !== '0' && value !== '1') throw new BadInputError('value: must be 0 or 1');
    // Not user modifiable (no form shows it), but it is the user's own switch: stored directly, as SODAR does.
    await deps.settings.set('projectroles', 'project_list_home_starred', value === '1', { user: req.user });
    res.json(Number(value));
  });

  router.get('/ajax/settings/site-read-only', loggedIn, (_req, res) => {
    res.json({ site_read_only: deps.settings.siteValues.readOnly() });
  });

  // Anonymous visitors (with ALLOW_ANONYMOUS) are told to log in, as SODAR's 401, not refused.
  const starrer: express.RequestHandler = (req, _res, next) => next(req.user ? undefined : new HttpError(401, 'Log in to star projects.'));
  router.post('/ajax/star/:project', loggedIn, starrer, projectGuard(deps, 'projectroles.star_project'), async (req, res) => {
    const starred = await toggleStar(deps.dataSource, req.user!.id, req.project!.id);
    res.json(starred ? 1 : 0);
  });

  router.post('/ajax/list/roles', loggedIn, async (req, res) => {
    const uuids = projectUuidsOf(req.body);
    const projects = await projectsByUuid(deps.dataSource, uuids);
    const roles = req.user ? await effectiveRoles(deps.dataSource, req.user.id, projects.map((p) => p.id)) : new Map();
    const answer: Record<string, { name: string; class: string | null }> = {};
    for (const project of projects) {
      const role = roles.get(project.id);
      if (role) answer[project.sodar_uuid] = { name: capitalize(role.role), class: null };
      else if (project.public_role) answer[project.sodar_uuid] = { name: capitalize(project.public_role), class: 'text-muted' };
      else if (req.user?.is_superuser) answer[project.sodar_uuid] = { name: 'N/A', class: 'text-muted' };
    }
    res.json(answer);
  });

  router.get('/ajax/sidebar/:project', loggedIn, projectGuard(deps, 'projectroles.view_project'), async (req, res) => {
    const project = req.project!;
    const own = [
      { name: 'project-detail', title: project.type === 'CATEGORY' ? 'Category overview' : 'Project overview', icon: 'info-circle', url: `/project/${project.sodar_uuid}` },
      { name: 'project-roles', title: 'Members', icon: 'users', url: `/project/members/${project.sodar_uuid}` },
    ];
    res.json({ links: [...own, ...(await projectAppLinks(deps, req))] });
  });

  router.get('/ajax/dropdown', loggedIn, async (req, res) => {
    if (!req.user) throw new PermissionDeniedError('Authentication required.');
    const links = (await siteAppLinks(deps.registry, deps.rules, req)).map((link) => ({ ...link, method: 'GET' }));
    res.json({ links: [...links, { name: 'logout', title: 'Logout', icon: 'sign-out', url: '/logout', method: 'POST' }] });
  });

  router.post('/ajax/list/columns', loggedIn, async (req, res) => {
    const projects = await projectsByUuid(deps.dataSource, projectUuidsOf(req.body));
    const access = await loadProjectAccess(deps.dataSource, req.user ?? null, projects);
    const columns = projectListColumns(deps.registry);
    const answer: Record<string, Record<string, Record<string, string | number | null>>> = {};
    for (const project of projects) {
      if (!(await deps.rules.test('projectroles.view_project', req.user ?? null, access.get(project.id)))) continue;
      const values: Record<string, Record<string, string | number | null>> = {};
      for (const column of columns) {
        const plugin = deps.registry.getAppPlugin(column.plugin, 'project_app') as ProjectAppPluginPoint;
        (values[column.plugin] ??= {})[column.id] = await plugin.getProjectListValue(column.id, project.sodar_uuid, req.user ?? null);
      }
      answer[project.sodar_uuid] = values;
    }
    res.json(answer);
  });

  router.get('/ajax/user/current', loggedIn, (req, res) => {
    if (!req.user) throw new PermissionDeniedError('Authentication required.');
    res.json(serializeUser(req.user, '2.0'));
  });

  router.get('/ajax/stats/category/:project', loggedIn, projectGuard(deps, 'projectroles.view_project'), async (req, res) => {
    const category = req.project!;
    if (category.type !== 'CATEGORY') throw new PermissionDeniedError('Only allowed for categories');
    const [row] = await deps.dataSource.query(
      `SELECT
         (SELECT count(*)::int FROM projectroles_project d WHERE d.ancestor_ids @> ARRAY[$1::int] AND d.type = 'PROJECT') AS projects,
         (SELECT count(DISTINCT ra.user_id)::int FROM projectroles_roleassignment ra JOIN projectroles_project d ON d.id = ra.project_id
          WHERE d.id = $1 OR d.ancestor_ids @> ARRAY[$1::int]) AS members`,
      [category.id],
    );
    res.json({
      stats: [
        { title: 'Projects', value: row.projects, unit: null, description: 'Projects in this category and below', icon: 'cube', prefix: null },
        { title: 'Members', value: row.members, unit: null, description: 'Users with a role in this category or below', icon: 'users', prefix: null },
      ],
    });
  });

  return router;
}

const capitalize = (role: string) => role.replace('project ', '').replace(/^./, (c) => c.toUpperCase());

/** `{"projects": [uuid, ...]}` from a JSON body; 400 otherwise. */
function projectUuidsOf(body: unknown): string[] {
  const projects = (body as { projects?: unknown } | undefined)?.projects;
  if (!Array.isArray(projects) || projects.length > 1000 || !projects.every((p) => typeof p === 'string' && isUuid(p))) {
    throw new BadInputError('projects: must be a list of at most 1,000 project UUIDs');
  }
  return projects as string[];
}
