/** Project and category pages (reference §5.1): detail and members. */
import express from 'express';
import MarkdownIt from 'markdown-it';
import { pageNumber, refuseEmptyPage } from '../app/pagination';
import { renderPage } from '../app/pages';
import { listMembers } from './members';
import { projectGuard, type GuardDeps } from './project-access';
import { projectAppLinks, projectDetailCards } from './app-links';
import type { AppSettings } from './app-settings';
import { projectUserSettingDefinitions } from './project-user-settings-views';
import type { PluginRegistry } from './registry';
import { isStarred } from './stars';

export const MEMBERS_PAGE_SIZE = 15;

// Raw HTML in a readme is shown as text, and markdown-it refuses javascript: links.
const markdown = new MarkdownIt({ html: false, linkify: true });

export function projectPageRoutes(deps: GuardDeps & { registry: PluginRegistry; settings: AppSettings }): express.Router {
  const router = express.Router();

  router.get('/members/:project', projectGuard(deps, 'projectroles.view_project_roles'), async (req, res) => {
    const page = pageNumber(req.query.page);
    const project = req.project!;
    const { members, total } = await listMembers(deps.dataSource, project, { limit: MEMBERS_PAGE_SIZE, offset: (page - 1) * MEMBERS_PAGE_SIZE });
    refuseEmptyPage(page, members.length);
    const can = async (permission: string) => req.user !== undefined && deps.rules.test(permission, req.user, req.projectAccess);
    renderPage(req, res, 'projectroles/members', {
      title: `Members of ${project.title}`,
      can: {
        members: await can('projectroles.update_project_members'),
        delegates: await can('projectroles.update_project_delegate'),
        owner: await can('projectroles.update_project_owner'),
      },
      project,
      members,
      page,
      pages: Math.max(1, Math.ceil(total / MEMBERS_PAGE_SIZE)),
      total,
      apps: await projectAppLinks(deps, req),
    });
  });

  router.get('/:project', projectGuard(deps, 'projectroles.view_project'), async (req, res) => {
    const project = req.project!;
    const starred = req.user ? await isStarred(deps.dataSource, req.user.id, project.id) : false;
    const can = async (permission: string) => deps.rules.test(permission, req.user ?? null, req.projectAccess);
    renderPage(req, res, 'projectroles/project_detail', {
      title: project.title,
      can: {
        update: await can('projectroles.update_project'),
        delete: await can('projectroles.delete_project'),
        create: project.type === 'CATEGORY' && (await can('projectroles.create_project')),
        mySettings: projectUserSettingDefinitions(deps, project).length > 0 && (await can('projectroles.view_project_user_settings')),
      },
      project,
      role: req.projectAccess!.role,
      starred,
      readmeHtml: markdown.render(project.readme),
      apps: await projectAppLinks(deps, req),
      cards: await projectDetailCards(deps, req),
    });
  });

  return router;
}
