/** projectroles Ajax views (reference §5.2): session auth, JSON, 403 when denied. */
import express from 'express';
import { validate as isUuid } from 'uuid';
import { BadInputError, NotFoundError, PermissionDeniedError } from '../app/errors';
import { projectGuard, resolveProject, type GuardDeps } from './project-access';
import { listChildren, type ListedProject } from './project-list';
import { toggleStar } from './stars';

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
    blocked: false,
  };
}

function pageNumber(raw: unknown): number {
  if (raw === undefined) return 1;
  const page = Number(raw);
  if (!Number.isInteger(page) || page < 1) throw new BadInputError('page: must be a whole number from 1');
  return page;
}

export function projectrolesAjaxRoutes(deps: GuardDeps): express.Router {
  const router = express.Router();
  const loggedIn: express.RequestHandler = (req, _res, next) =>
    next(req.user || deps.allowAnonymous ? undefined : new PermissionDeniedError('Authentication required.'));

  router.get('/project/ajax/list', loggedIn, async (req, res) => {
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
    const starredOnly = req.query.starred === '1';
    const listed = await listChildren(deps.dataSource, {
      parentId: parent?.id ?? null,
      user: req.user ?? null,
      allowAnonymous: deps.allowAnonymous,
      starredOnly,
      limit: PROJECT_LIST_PAGE_SIZE + 1,
      offset: (page - 1) * PROJECT_LIST_PAGE_SIZE,
    });
    const more = listed.length > PROJECT_LIST_PAGE_SIZE;
    const projects = listed.slice(0, PROJECT_LIST_PAGE_SIZE).map((p) => serializeListed(p, parent?.full_title ?? null));
    res.json({
      projects,
      parent_depth: parent ? parent.ancestor_ids.length + 1 : 0,
      next_page: more ? page + 1 : null,
      messages: projects.length === 0 && page === 1 ? { no_projects: starredOnly ? 'No starred projects or categories.' : 'No projects or categories available.' } : {},
      user: { superuser: req.user?.is_superuser === true },
    });
  });

  router.post('/project/ajax/star/:project', loggedIn, projectGuard(deps, 'projectroles.star_project'), async (req, res) => {
    const starred = await toggleStar(deps.dataSource, req.user!.id, req.project!.id);
    res.json(starred ? 1 : 0);
  });

  return router;
}
