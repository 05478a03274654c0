/** Creating, updating, archiving and deleting projects and categories (reference §5.1). */
import express, { type Request, type Response } from 'express';
import type { EntityManager } from 'typeorm';
import { validate as isUuid } from 'uuid';
import { BadInputError, PermissionDeniedError } from '../app/errors';
import { flash, renderPage } from '../app/pages';
import { AppSettingError, type SettingDefinition, type SettingValue } from './app-setting-definitions';
import { UserEntity, type Project, type ProjectType, type User } from './entities';
import { currentValues, formDefinitions, formFields, readFormSettings, SettingFieldErrors, type FormSettingsDeps, type FormSettingsScope } from './project-form-settings';
import type { SettingPlace } from './project-setting-checks';
import { applySettingChanges } from './setting-updates';
import { runModifyHooks } from './modify-hooks';
import { projectArchived, projectCreated, projectDeleted, projectUpdated } from './timeline-events';
import { projectGuard, type GuardDeps } from './project-access';
import { loadProjectAccess } from './project-rules';
import {
  createProject, creatableCategories, deleteProject, hasChildren, projectsByUuid, setArchived, updateProject, type ProjectChanges,
} from './projects';

type Deps = GuardDeps & FormSettingsDeps;

interface ProjectForm {
  title: string;
  /** As sent; checked by typeOf when a project is created. */
  type: string;
  description: string;
  readme: string;
  public_access: string;
  parent: string;
  owner: string;
}

function readForm(req: Request): ProjectForm {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const text = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : '');
  return {
    title: text('title'),
    type: text('type'),
    description: text('description'),
    readme: text('readme'),
    public_access: text('public_access'),
    parent: text('parent'),
    owner: text('owner'),
  };
}

/** The type chosen in the create form (a project when none is sent); anything else is refused. */
function typeOf(value: string): ProjectType {
  if (value === '') return 'PROJECT';
  if (value === 'CATEGORY' || value === 'PROJECT') return value;
  throw new BadInputError(`type: must be CATEGORY or PROJECT (got "${value.slice(0, 64)}")`);
}

function publicAccessOf(value: string): 'project guest' | 'project viewer' | null {
  if (value === '') return null;
  if (value === 'project guest' || value === 'project viewer') return value;
  throw new BadInputError('public_access: must be empty, "project guest" or "project viewer"');
}

interface FormLocals {
  mode: 'create' | 'update';
  project: Project | null;
  parent: Project | null;
  form: ProjectForm;
  error: unknown;
}

/** The settings the page shows: the project's type, or every type while the create form offers a choice (its script shows the chosen type's). */
function displayScope(locals: FormLocals): FormSettingsScope {
  if (locals.project) return { project: locals.project, type: locals.project.type, inParent: false };
  return { project: null, type: locals.parent ? null : 'CATEGORY', inParent: locals.parent !== null };
}

/** The app settings section: fields with the current values, or the posted ones and their errors after a refused post. */
async function settingsSection(deps: Deps, user: User, locals: FormLocals) {
  const scope = displayScope(locals);
  const refused = locals.error instanceof SettingFieldErrors ? locals.error : null;
  const values: Record<string, SettingValue> = { ...(await currentValues(deps, locals.project)), ...refused?.posted };
  return { settingFields: formFields(formDefinitions(deps, scope), values, user, scope), settingErrors: refused?.fields ?? {} };
}

async function showForm(deps: Deps, req: Request, res: Response, locals: FormLocals) {
  const categories = locals.mode === 'update' ? await creatableCategories(deps.dataSource, req.user!) : [];
  const section = await settingsSection(deps, req.user!, locals);
  // Top level: categories only (SODAR without PROJECTROLES_DISABLE_CATEGORIES).
  const title = locals.mode === 'create' ? `Create ${locals.parent ? `in ${locals.parent.title}` : 'top-level category'}` : `Update ${locals.project!.title}`;
  const message = locals.error instanceof Error ? locals.error.message : null;
  renderPage(req, res, 'projectroles/project_form', { ...locals, ...section, error: message, title, categories }, message ? 400 : 200);
}

/** Resolves the parent chosen in the update form; moving needs create rights there (top level: superuser). */
async function chosenParent(deps: Deps, req: Request, uuid: string): Promise<Project | null> {
  if (uuid === '') {
    if (!req.user!.is_superuser) throw new BadInputError('parent: only superusers may move to the top level');
    return null;
  }
  if (!isUuid(uuid)) throw new BadInputError(`parent: "${uuid.slice(0, 64)}" is not a category's sodar_uuid`);
  const [parent] = await projectsByUuid(deps.dataSource, [uuid]);
  if (!parent) throw new BadInputError(`parent: no category with sodar_uuid ${uuid}`);
  const access = (await loadProjectAccess(deps.dataSource, req.user!, [parent])).get(parent.id)!;
  if (!(await deps.rules.test('projectroles.create_project', req.user!, access))) throw new BadInputError(`parent: you may not create in ${parent.full_title}`);
  return parent;
}

async function ownerFor(deps: Deps, req: Request, username: string) {
  if (username === '' || username === req.user!.username) return req.user!;
  if (!req.user!.is_superuser) throw new BadInputError('owner: only superusers may make someone else the owner');
  const owner = await deps.dataSource.getRepository(UserEntity).findOneBy({ username, is_active: true });
  if (!owner) throw new BadInputError(`owner: no active user named ${username}`);
  return owner;
}

const superuserOnly: express.RequestHandler = (req, _res, next) => {
  if (!req.user) return next(new PermissionDeniedError('Please log in to see this page.'));
  next(req.user.is_superuser ? undefined : new PermissionDeniedError('Only superusers may create top-level categories and projects.'));
};

const EMPTY_FORM: ProjectForm = { title: '', type: 'PROJECT', description: '', readme: '', public_access: '', parent: '', owner: '' };

export function projectFormRoutes(deps: Deps): express.Router {
  const router = express.Router();
  const hooks = (action: string, details: Record<string, unknown>) => (manager: EntityManager) =>
    runModifyHooks(deps.registry, 'ProjectModify', { action, manager, ...details });
  const postedSettings = (req: Request, scope: FormSettingsScope, place: SettingPlace) =>
    readFormSettings(deps, formDefinitions(deps, scope), (req.body ?? {}) as Record<string, unknown>, req.user!, scope, place);
  /** In the project's transaction: a setting the database refuses (options of a callable, say) takes the project change back too. */
  const saveSettings = async (manager: EntityManager, project: Project, values: Map<SettingDefinition, SettingValue>, actor: User) => {
    try {
      await applySettingChanges(deps, manager, actor, { project }, values);
    } catch (error) {
      throw error instanceof AppSettingError ? new BadInputError(error.message) : error;
    }
  };

  const create = async (req: Request, res: Response, parent: Project | null) => {
    const form = readForm(req);
    try {
      const type = parent ? typeOf(form.type) : 'CATEGORY';
      const owner = await ownerFor(deps, req, form.owner);
      const settings = await postedSettings(req, { project: null, type, inParent: parent !== null }, { type, topLevel: parent === null });
      const project = await createProject(
        deps.dataSource,
        { title: form.title, type, parent, owner, description: form.description, readme: form.readme, publicAccess: type === 'PROJECT' ? publicAccessOf(form.public_access) : null },
        async (manager, created) => {
          await projectCreated(deps.registry, manager, req.user!, created, owner);
          await hooks('CREATE', { project: created })(manager);
          await saveSettings(manager, created, settings, req.user!);
        },
      );
      flash(req, 'success', `${project.type === 'CATEGORY' ? 'Category' : 'Project'} "${project.title}" created.`);
      res.redirect(`/project/${project.sodar_uuid}`);
    } catch (error) {
      if (!(error instanceof BadInputError)) throw error;
      await showForm(deps, req, res, { mode: 'create', project: null, parent, form, error });
    }
  };

  router.get('/create', superuserOnly, (req, res) => showForm(deps, req, res, { mode: 'create', project: null, parent: null, form: { ...EMPTY_FORM, type: 'CATEGORY' }, error: null }));
  router.post('/create', superuserOnly, (req, res) => create(req, res, null));

  const createInParent = projectGuard(deps, 'projectroles.create_project');
  const notInProject: express.RequestHandler = (req, res, next) => {
    if (req.project!.type === 'CATEGORY') return next();
    flash(req, 'danger', 'Creating nested projects is not allowed.');
    res.redirect(`/project/${req.project!.sodar_uuid}`);
  };
  router.get('/create/:project', createInParent, notInProject, (req, res) => showForm(deps, req, res, { mode: 'create', project: null, parent: req.project!, form: EMPTY_FORM, error: null }));
  router.post('/create/:project', createInParent, notInProject, (req, res) => create(req, res, req.project!));

  const canUpdate = projectGuard(deps, 'projectroles.update_project');
  const currentParent = async (project: Project): Promise<Project | null> =>
    project.parent_id === null ? null : ((await deps.dataSource.query('SELECT * FROM projectroles_project WHERE id = $1', [project.parent_id])) as Project[])[0]!;
  router.get('/update/:project', canUpdate, async (req, res) => {
    const p = req.project!;
    const parent = await currentParent(p);
    const form = { ...EMPTY_FORM, title: p.title, type: p.type, description: p.description, readme: p.readme, public_access: p.public_role ?? '', parent: parent?.sodar_uuid ?? '' };
    return showForm(deps, req, res, { mode: 'update', project: p, parent, form, error: null });
  });
  router.post('/update/:project', canUpdate, async (req, res) => {
    const project = req.project!;
    const form = readForm(req);
    const current = await currentParent(project);
    try {
      // Staying put needs no rights on the parent; moving needs create rights there.
      const parent = form.parent === (current?.sodar_uuid ?? '') ? current : await chosenParent(deps, req, form.parent);
      const settings = await postedSettings(req, { project, type: project.type, inParent: false }, { type: project.type, topLevel: parent === null });
      const changes: ProjectChanges = { title: form.title, description: form.description, readme: form.readme, publicAccess: project.type === 'PROJECT' ? publicAccessOf(form.public_access) : null, parent };
      await updateProject(deps.dataSource, project, changes, async (manager, updated) => {
        await projectUpdated(deps.registry, manager, req.user!, project, updated);
        await hooks('UPDATE', { project: updated, oldData: project })(manager);
        await saveSettings(manager, updated, settings, req.user!);
      });
      flash(req, 'success', `"${form.title.trim()}" updated.`);
      res.redirect(`/project/${project.sodar_uuid}`);
    } catch (error) {
      if (!(error instanceof BadInputError)) throw error;
      await showForm(deps, req, res, { mode: 'update', project, parent: current, form, error });
    }
  });

  // SODAR's messages: categories are never archived, categories with children never deleted.
  const notCategory: express.RequestHandler = (req, res, next) => {
    if (req.project!.type !== 'CATEGORY') return next();
    flash(req, 'danger', 'Setting archival is not allowed for categories.');
    res.redirect(`/project/${req.project!.sodar_uuid}`);
  };
  const noChildren: express.RequestHandler = async (req, res, next) => {
    const project = req.project!;
    if (project.type !== 'CATEGORY' || !(await hasChildren(deps.dataSource, project))) return next();
    flash(req, 'danger', 'Deletion not allowed for category with children. Delete the children before attempting deletion.');
    res.redirect('/');
  };
  router.get('/archive/:project', canUpdate, notCategory, (req, res) => renderPage(req, res, 'projectroles/project_archive', { title: `Archive ${req.project!.title}`, project: req.project! }));
  router.post('/archive/:project', canUpdate, notCategory, async (req, res) => {
    const project = req.project!;
    const status = String((req.body as { status?: unknown } | undefined)?.status ?? '');
    const archive = status === '1' || status === 'true';
    await setArchived(deps.dataSource, project, archive, async (manager) => {
      await projectArchived(deps.registry, manager, req.user!, project, archive);
      await runModifyHooks(deps.registry, 'ProjectArchive', { action: archive ? 'ARCHIVE' : 'UNARCHIVE', manager, project });
    });
    flash(req, 'success', `Project "${project.title}" ${archive ? 'archived' : 'unarchived'}.`);
    res.redirect(`/project/${project.sodar_uuid}`);
  });

  const canDelete = projectGuard(deps, 'projectroles.delete_project');
  router.get('/delete/:project', canDelete, noChildren, (req, res) => renderPage(req, res, 'projectroles/project_delete', { title: `Delete ${req.project!.title}`, project: req.project!, host: req.hostname }));
  router.post('/delete/:project', canDelete, noChildren, async (req, res) => {
    const project = req.project!;
    const confirm = String((req.body as { delete_host_confirm?: unknown } | undefined)?.delete_host_confirm ?? '');
    if (confirm !== req.hostname) {
      flash(req, 'danger', `Incorrect host name for confirming deletion: type "${req.hostname}".`);
      return res.redirect(`/project/delete/${project.sodar_uuid}`);
    }
    try {
      await deleteProject(deps.dataSource, project, async (manager) => {
        await projectDeleted(deps.registry, manager, req.user!, project);
        await runModifyHooks(deps.registry, 'ProjectDelete', { action: 'DELETE', manager, project });
      });
    } catch (error) {
      if (!(error instanceof BadInputError)) throw error;
      flash(req, 'danger', error.message);
      return res.redirect(`/project/${project.sodar_uuid}`);
    }
    flash(req, 'success', `"${project.title}" deleted.`);
    res.redirect('/');
  });

  return router;
}
