/**
 * projectroles permissions (reference §6.1-6.2) as named rules over a ProjectAccess: what
 * one user may do in one project, gathered in a constant number of queries beforehand so
 * evaluating any number of rules costs none.
 */
import type { Config } from '../app/config';
import type { Project, RoleName, User } from './entities';
import { childAccess, effectiveRoles, type EffectiveRole } from './roles';
import { allOf, anyOf, isSuperuser, ruleNamed, type Predicate, type RuleSet } from './rules';

export interface ProjectAccess {
  project: Project;
  /** The user's effective role, inherited or local; null without one or for anonymous. */
  role: EffectiveRole | null;
  /** The public access role of the project, if any. */
  publicRole: RoleName | null;
  /** Categories: a local role somewhere below (the project guard asks only when the user has no role on the category). */
  childRole: boolean;
  /** Categories: a public project somewhere below. */
  publicChild: boolean;
  /** Projects: projectroles.project_access_block is on (the guard refuses non-superusers). */
  blocked: boolean;
  /** Projects with ip_restrict on: the allow list (the guard checks it); null when unrestricted. */
  ipAllowList: string | null;
  /** Top-level categories with category_public_stats on: every user may see them. */
  publicStats: boolean;
}

/** Loads what the rules need for `user` in `projects` (two queries, whatever the count). */
export async function loadProjectAccess(
  db: Parameters<typeof effectiveRoles>[0],
  user: User | null,
  projects: Array<Project & { public_role?: RoleName | null }>,
): Promise<Map<number, ProjectAccess>> {
  const ids = projects.map((p) => p.id);
  const roles = user ? await effectiveRoles(db, user.id, ids) : new Map<number, EffectiveRole>();
  const categories = projects.filter((p) => p.type === 'CATEGORY').map((p) => p.id);
  const children = await childAccess(db, user?.id ?? null, categories);
  return new Map(
    projects.map((project) => [
      project.id,
      {
        project,
        role: roles.get(project.id) ?? null,
        publicRole: project.public_role ?? null,
        childRole: children.get(project.id)?.childRole ?? false,
        publicChild: children.get(project.id)?.publicChild ?? false,
        // The guard's concerns, loaded by resolveProject only.
        blocked: false,
        ipAllowList: null,
        publicStats: false,
      },
    ]),
  );
}

/** A rule checked without a project (a programming slip) denies instead of crashing. */
const NO_ACCESS: ProjectAccess = {
  project: { type: 'PROJECT' } as ProjectAccess['project'],
  role: null,
  publicRole: null,
  childRole: false,
  publicChild: false,
  blocked: true,
  ipAllowList: '',
  publicStats: false,
};
const access = (object: unknown) => (object as ProjectAccess | undefined) ?? NO_ACCESS;
const hasRole = (name: RoleName): Predicate => (_user, object) => access(object).role?.role === name;

export const isProjectOwner = hasRole('project owner');
export const isProjectDelegate = hasRole('project delegate');
export const isProjectContributor = hasRole('project contributor');
export const isProjectGuest: Predicate = (user, object) => access(object).publicRole === 'project guest' || hasRole('project guest')(user, object);
/** SODAR's is_site_writable, for apps: the site is not in read-only mode. */
export const siteWritable: Predicate = ruleNamed('projectroles.site_writable');
/** SODAR's can_modify_project_data, for apps: not archived and the site not read-only. */
export const canModifyProjectData: Predicate = ruleNamed('projectroles.modify_project_data');
export const isProjectViewer: Predicate = (user, object) => access(object).publicRole === 'project viewer' || hasRole('project viewer')(user, object);
/** Public access grants a role to authenticated users, and to anonymous ones only when allowed. */
function canViewProject(allowAnonymous: boolean): Predicate {
  return (user, object) => {
    const a = access(object);
    if (a.publicRole && (user !== null || allowAnonymous)) return true;
    return user !== null && a.role !== null;
  };
}
function hasCategoryChildRole(allowAnonymous: boolean): Predicate {
  return (user, object) => {
    const a = access(object);
    if (a.project.type !== 'CATEGORY') return false;
    if (user) return a.role !== null || a.childRole || a.publicChild;
    return allowAnonymous && a.publicChild;
  };
}
/** SODAR's is_public_stats_category: a top-level category with category_public_stats on, for every user. */
const isPublicStatsCategory: Predicate = (user, object) => user !== null && access(object).publicStats;
const isAuthenticated: Predicate = (user) => user !== null;

/** The site's switches the rules read (site read-only mode); see SiteValues. */
export interface SiteSwitches {
  readOnly(): boolean;
}

/**
 * Rules that change with site read-only mode: SODAR's is_site_writable, and the two that
 * also cover remote projects there (none here yet, so the same), and can_modify_project_data
 * for apps (not archived, not read-only).
 */
function writableRules(site: SiteSwitches) {
  const isSiteWritable: Predicate = () => !site.readOnly();
  return {
    isSiteWritable,
    isModifiableProject: isSiteWritable,
    canCreateProjects: isSiteWritable,
    notArchivedAndWritable: ((_user, object) => !access(object).project.archive && !site.readOnly()) as Predicate,
  };
}

export function addProjectrolesRules(rules: RuleSet, config: Pick<Config, 'allowAnonymous'>, site: SiteSwitches): void {
  const canView = canViewProject(config.allowAnonymous);
  const childRole = hasCategoryChildRole(config.allowAnonymous);
  const ownerOrDelegate = anyOf(isProjectOwner, isProjectDelegate);
  const { isSiteWritable, isModifiableProject, canCreateProjects, notArchivedAndWritable } = writableRules(site);
  rules.add('projectroles.view_project', anyOf(canView, childRole, isPublicStatsCategory));
  rules.add('projectroles.view_project_roles', canView);
  rules.add('projectroles.update_project', allOf(ownerOrDelegate, isSiteWritable));
  rules.add('projectroles.delete_project', allOf(ownerOrDelegate, isSiteWritable));
  rules.add('projectroles.create_project', allOf(anyOf(isProjectOwner, isProjectDelegate, isProjectContributor), canCreateProjects));
  rules.add('projectroles.view_project_settings', ownerOrDelegate);
  rules.add('projectroles.update_project_settings', allOf(ownerOrDelegate, isModifiableProject));
  rules.add('projectroles.update_project_owner', allOf(isProjectOwner, isModifiableProject));
  rules.add('projectroles.update_project_delegate', allOf(isProjectOwner, isModifiableProject));
  rules.add('projectroles.update_project_members', allOf(ownerOrDelegate, isModifiableProject));
  rules.add('projectroles.invite_users', allOf(ownerOrDelegate, isModifiableProject));
  rules.add('projectroles.star_project', allOf(isAuthenticated, anyOf(canView, childRole, isPublicStatsCategory), isSiteWritable));
  rules.add('projectroles.modify_project_data', notArchivedAndWritable);
  rules.add('projectroles.site_writable', isSiteWritable);
  // Beyond SODAR: a member's own settings in a project, on a page of their own.
  rules.add('projectroles.view_project_user_settings', allOf(isAuthenticated, anyOf(canView, childRole)));
  rules.add('projectroles.update_project_user_settings', allOf(isAuthenticated, anyOf(canView, childRole), isSiteWritable));
  rules.add('projectroles.view_hidden_projects', isProjectOwner);
  rules.add('projectroles.update_site_settings', isSuperuser);
}
