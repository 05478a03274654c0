/** Member management pages (reference §5.1) and the user autocomplete (§5.2). */
import express, { type Request, type Response } from 'express';
import { validate as isUuid } from 'uuid';
import { BadInputError, NotFoundError, PermissionDeniedError } from '../app/errors';
import { flash, renderPage } from '../app/pages';
import { ROLE_NAMES, UserEntity, type RoleName } from './entities';
import { addMember, assignmentByUuid, changeMember, removeMember, transferOwner, type AssignmentRow, type MemberDeps } from './member-service';
import { projectGuard, type GuardDeps } from './project-access';
import { loadProjectAccess } from './project-rules';
import type { ProjectRow } from './projects';

type Deps = GuardDeps & MemberDeps;

declare module 'express-serve-static-core' {
  interface Request {
    assignment?: AssignmentRow;
  }
}

const AUTOCOMPLETE_LIMIT = 20;

function field(req: Request, name: string): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.trim() : '';
}

function roleField(req: Request, name = 'role'): RoleName {
  const value = field(req, name);
  if (!(ROLE_NAMES as readonly string[]).includes(value)) throw new BadInputError(`${name}: unknown role "${value}"`);
  return value as RoleName;
}

async function userField(deps: Deps, req: Request, name: string) {
  const value = field(req, name);
  const where = isUuid(value) ? { sodar_uuid: value, is_active: true } : { username: value, is_active: true };
  const user = value ? await deps.dataSource.getRepository(UserEntity).findOneBy(where) : null;
  if (!user) throw new BadInputError(`${name}: no active user "${value}"`);
  return user;
}

/** Roles offered in the form: no owner (transfer only), finder only in categories, delegate only for owners. */
async function offeredRoles(deps: Deps, req: Request): Promise<RoleName[]> {
  const mayDelegate = await deps.rules.test('projectroles.update_project_delegate', req.user!, req.projectAccess);
  return ROLE_NAMES.filter((r) => r !== 'project owner' && (r !== 'project finder' || req.project!.type === 'CATEGORY') && (r !== 'project delegate' || mayDelegate));
}

/** Resolves `:roleassignment` and its project; delegates need the delegate rule, owners are untouchable. */
function assignmentGuard(deps: Deps, options: { own?: boolean } = {}): express.RequestHandler {
  return async (req, _res, next) => {
    if (!req.user) return next(new PermissionDeniedError('Please log in to see this page.'));
    const uuid = String(req.params.roleassignment);
    if (!isUuid(uuid)) return next(new NotFoundError(`Not found: roleassignment "${uuid}" is not a valid UUID`));
    const assignment = await assignmentByUuid(deps.dataSource, uuid);
    if (!assignment) return next(new NotFoundError(`No role assignment with sodar_uuid ${uuid}`));
    const [project]: ProjectRow[] = await deps.dataSource.query(
      'SELECT p.*, r.name AS public_role FROM projectroles_project p LEFT JOIN projectroles_role r ON r.id = p.public_access_id WHERE p.id = $1',
      [assignment.project_id],
    );
    req.project = project!;
    req.assignment = assignment;
    if (options.own) {
      const leaving = assignment.user_id === req.user.id && assignment.role !== 'project owner';
      return next(leaving ? undefined : new PermissionDeniedError('You can only leave a project you have a non-owner role in.'));
    }
    req.projectAccess = (await loadProjectAccess(deps.dataSource, req.user, [project!])).get(project!.id)!;
    if (assignment.role === 'project owner') return next(new PermissionDeniedError('The owner can only be changed by owner transfer.'));
    const rule = assignment.role === 'project delegate' ? 'projectroles.update_project_delegate' : 'projectroles.update_project_members';
    next((await deps.rules.test(rule, req.user, req.projectAccess)) ? undefined : new PermissionDeniedError());
  };
}

const membersUrl = (project: { sodar_uuid: string }) => `/project/members/${project.sodar_uuid}`;

/** Runs a change; bad input shows the form again with the message (400). */
async function attempt(res: Response, change: () => Promise<void>, showAgain: (error: string) => Promise<void>): Promise<void> {
  try {
    await change();
  } catch (error) {
    if (!(error instanceof BadInputError)) throw error;
    res.status(400);
    await showAgain(error.message);
  }
}

export function memberRoutes(deps: Deps): express.Router {
  const router = express.Router();
  const canManage = projectGuard(deps, 'projectroles.update_project_members');

  const addForm = async (req: Request, res: Response, error: string | null) =>
    renderPage(req, res, 'projectroles/member_form', { title: `Add member to ${req.project!.title}`, project: req.project!, roles: await offeredRoles(deps, req), assignment: null, promote: null, error }, error ? 400 : 200);
  router.get('/members/create/:project', canManage, (req, res) => addForm(req, res, null));
  router.post('/members/create/:project', canManage, async (req, res) => {
    await attempt(res, async () => {
      const role = roleField(req);
      if (role === 'project delegate' && !(await deps.rules.test('projectroles.update_project_delegate', req.user!, req.projectAccess))) throw new PermissionDeniedError('Only owners may add delegates.');
      const user = await userField(deps, req, 'user');
      await addMember(deps, req.project!, user, role, req.user!);
      flash(req, 'success', `${user.username} added as ${role.replace('project ', '')}.`);
      res.redirect(membersUrl(req.project!));
    }, (error) => addForm(req, res, error));
  });

  // Promote: give a user who inherits a weak role (contributor or weaker) a stronger local one.
  const promoteTarget = async (req: Request) => {
    const inherited = isUuid(String(req.params.promote_as)) ? await assignmentByUuid(deps.dataSource, String(req.params.promote_as)) : null;
    if (!inherited || !req.project!.ancestor_ids.includes(inherited.project_id)) throw new NotFoundError('No inherited role to promote');
    if (inherited.rank <= 20) throw new BadInputError('Only contributor, guest and viewer roles can be promoted');
    const user = (await deps.dataSource.getRepository(UserEntity).findOneBy({ id: inherited.user_id }))!;
    const roles = (await offeredRoles(deps, req)).filter((role) => ROLE_NAMES.indexOf(role) < ROLE_NAMES.indexOf(inherited.role));
    return { inherited, user, roles };
  };
  const promoteForm = async (req: Request, res: Response, error: string | null) => {
    const { inherited, user, roles } = await promoteTarget(req);
    renderPage(req, res, 'projectroles/member_form', { title: `Promote ${user.username} (inherited ${inherited.role})`, project: req.project!, roles, assignment: null, promote: user, error }, error ? 400 : 200);
  };
  const promotePath = '/members/promote/:project/assignment/:promote_as';
  router.get(promotePath, canManage, (req, res) => promoteForm(req, res, null));
  router.post(promotePath, canManage, async (req, res) => {
    await attempt(res, async () => {
      const { user, roles } = await promoteTarget(req);
      const role = roleField(req);
      if (!roles.includes(role)) throw new BadInputError(`role: ${role} is not a promotion you may give`);
      await addMember(deps, req.project!, user, role, req.user!);
      flash(req, 'success', `${user.username} promoted to ${role.replace('project ', '')}.`);
      res.redirect(membersUrl(req.project!));
    }, (error) => promoteForm(req, res, error));
  });

  const changeForm = async (req: Request, res: Response, error: string | null) =>
    renderPage(req, res, 'projectroles/member_form', { title: `Change role in ${req.project!.title}`, project: req.project!, roles: await offeredRoles(deps, req), assignment: req.assignment!, promote: null, error }, error ? 400 : 200);
  router.get('/members/update/:roleassignment', assignmentGuard(deps), (req, res) => changeForm(req, res, null));
  router.post('/members/update/:roleassignment', assignmentGuard(deps), async (req, res) => {
    await attempt(res, async () => {
      const role = roleField(req);
      if (role === 'project delegate' && !(await deps.rules.test('projectroles.update_project_delegate', req.user!, req.projectAccess))) throw new PermissionDeniedError('Only owners may make delegates.');
      await changeMember(deps, req.project!, req.assignment!, role, req.user!);
      flash(req, 'success', 'Role changed.');
      res.redirect(membersUrl(req.project!));
    }, (error) => changeForm(req, res, error));
  });

  const confirm = (title: string, action: string) => (req: Request, res: Response) =>
    renderPage(req, res, 'projectroles/member_confirm', { title, project: req.project!, assignment: req.assignment!, action });
  router.get('/members/delete/:roleassignment', assignmentGuard(deps), confirm('Remove member', 'Remove'));
  router.post('/members/delete/:roleassignment', assignmentGuard(deps), async (req, res) => {
    await removeMember(deps, req.project!, req.assignment!, req.user!);
    flash(req, 'success', 'Member removed.');
    res.redirect(membersUrl(req.project!));
  });
  router.get('/members/delete/own/:roleassignment', assignmentGuard(deps, { own: true }), confirm('Leave project', 'Leave'));
  router.post('/members/delete/own/:roleassignment', assignmentGuard(deps, { own: true }), async (req, res) => {
    await removeMember(deps, req.project!, req.assignment!, req.user!);
    flash(req, 'success', `You left ${req.project!.title}.`);
    res.redirect('/');
  });

  const canTransfer = projectGuard(deps, 'projectroles.update_project_owner');
  const transferForm = (req: Request, res: Response, error: string | null) =>
    renderPage(req, res, 'projectroles/owner_transfer', { title: `Transfer ownership of ${req.project!.title}`, project: req.project!, roles: ROLE_NAMES.filter((r) => r !== 'project owner' && r !== 'project finder'), error }, error ? 400 : 200);
  router.get('/members/owner/transfer/:project', canTransfer, (req, res) => transferForm(req, res, null));
  router.post('/members/owner/transfer/:project', canTransfer, async (req, res) => {
    await attempt(res, async () => {
      const newOwner = await userField(deps, req, 'new_owner');
      const oldOwnerRole = field(req, 'old_owner_role') === '' ? null : roleField(req, 'old_owner_role');
      await transferOwner(deps, req.project!, newOwner, oldOwnerRole, req.user!);
      flash(req, 'success', `${newOwner.username} is now the owner.`);
      res.redirect(membersUrl(req.project!));
    }, async (error) => transferForm(req, res, error));
  });

  router.get('/ajax/autocomplete/user', async (req, res) => {
    if (!req.user) throw new PermissionDeniedError('Authentication required.');
    const q = typeof req.query.q === 'string' ? req.query.q.trim() : '';
    const users: Array<{ sodar_uuid: string; username: string; name: string; email: string }> = q.length === 0 ? [] : await deps.dataSource.query(
      `SELECT sodar_uuid, username, name, email FROM projectroles_user
       WHERE is_active AND (username ILIKE $1 OR name ILIKE $1 OR email ILIKE $1)
       ORDER BY username LIMIT $2`,
      [`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, AUTOCOMPLETE_LIMIT],
    );
    res.json({ results: users.map((u) => ({ id: u.sodar_uuid, text: `${u.name || u.username} (${u.username})${u.email ? ` <${u.email}>` : ''}` })), pagination: { more: false } });
  });

  return router;
}
