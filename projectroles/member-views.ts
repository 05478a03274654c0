/** Member management pages (reference §5.1) and the user autocomplete (§5.2). */
import express, { type Request, type Response } from 'express';
import { validate as isUuid } from 'uuid';
import { uniqueViolationConflict } from '../app/error-handler';
import { BadInputError, HttpError, NotFoundError, PermissionDeniedError } from '../app/errors';
import { flash, renderPage } from '../app/pages';
import { ROLE_NAMES, UserEntity, type RoleName } from './entities';
import { addMember, assignmentByUuid, changeMember, removeMember, transferOwner, type AssignmentRow, type MemberChange, type MemberDeps } from './member-service';
import { projectEntryDenial, projectGuard, resolveProjectUuid, type GuardDeps } from './project-access';
import { loadProjectAccess } from './project-rules';

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

/** The username in a suggestion's text as the autocomplete shows it: "Name (username) <email>". */
const SUGGESTED_USERNAME = /\(([^()\s]+)\)\s*(?:<[^<>]*>)?$/;

/** Who a typed text may name, most exact first: a uuid, a username, the username in a suggestion's text. */
function typedUserLookups(typed: string): Array<{ sodar_uuid: string } | { username: string }> {
  if (isUuid(typed)) return [{ sodar_uuid: typed }];
  const suggested = SUGGESTED_USERNAME.exec(typed)?.[1];
  return suggested && suggested !== typed ? [{ username: typed }, { username: suggested }] : [{ username: typed }];
}

/**
 * The user a form's field names: the uuid the autocomplete puts into `<name>_uuid` when a
 * suggestion is picked, else what was typed into `<name>` (see typedUserLookups).
 */
async function userField(deps: Deps, req: Request, name: string) {
  const typed = field(req, name);
  const picked = field(req, `${name}_uuid`);
  const lookups = isUuid(picked) ? [{ sodar_uuid: picked }] : typed ? typedUserLookups(typed) : [];
  for (const where of lookups) {
    const user = await deps.dataSource.getRepository(UserEntity).findOneBy({ ...where, is_active: true });
    if (user) return user;
  }
  throw new BadInputError(typed ? `${name}: no active user "${typed}"; type a username or pick a suggestion` : `${name}: type a username or pick a suggestion`);
}

/**
 * The change as the member service takes it: `rules` are tested again for the user inside
 * the project's lock, since the change before may have taken the right away.
 */
function memberChange(deps: Deps, req: Request, rules: string[]): MemberChange {
  const authorize: MemberChange['authorize'] = async (manager, project) => {
    const access = (await loadProjectAccess(manager, req.user!, [project])).get(project.id);
    for (const rule of rules) if (!(await deps.rules.test(rule, req.user!, access))) return false;
    return true;
  };
  return { project: req.project!, actor: req.user!, authorize };
}

/** The rule that lets the user touch an assignment with `role`: delegates are for owners only. */
const assignmentRule = (role: RoleName) => (role === 'project delegate' ? 'projectroles.update_project_delegate' : 'projectroles.update_project_members');

/** The rules for giving `role` on top of `base`: only owners may make delegates. */
const rulesToGive = (role: RoleName, base: string) => (role === 'project delegate' ? [base, 'projectroles.update_project_delegate'] : [base]);

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
    const [{ sodar_uuid: projectUuid }]: [{ sodar_uuid: string }] = await deps.dataSource.query('SELECT sodar_uuid FROM projectroles_project WHERE id = $1', [assignment.project_id]);
    // The project guard's settings too: an access block or IP allow list shuts these pages as every other of the project.
    const { project, access } = await resolveProjectUuid(deps, req, projectUuid);
    req.project = project;
    req.projectAccess = access;
    req.assignment = assignment;
    const denial = projectEntryDenial(deps, req, access);
    if (denial) return next(denial);
    if (options.own) {
      const leaving = assignment.user_id === req.user.id && assignment.role !== 'project owner';
      if (!leaving) return next(new PermissionDeniedError('You can only leave a project you have a non-owner role in.'));
      // Leaving is a membership change: not while the site is read-only (reference core §6.4.2).
      return next((await deps.rules.test('projectroles.site_writable', req.user, access)) ? undefined : new PermissionDeniedError());
    }
    if (assignment.role === 'project owner') return next(new PermissionDeniedError('The owner can only be changed by owner transfer.'));
    next((await deps.rules.test(assignmentRule(assignment.role), req.user, req.projectAccess)) ? undefined : new PermissionDeniedError());
  };
}

const membersUrl = (project: { sodar_uuid: string }) => `/project/members/${project.sodar_uuid}`;

/** An error the user can act on in the form: bad input (400) or a change made at the same time (409). */
function formError(error: unknown): HttpError | null {
  if (error instanceof HttpError) return error.status === 400 || error.status === 409 ? error : null;
  return uniqueViolationConflict(error);
}

/** Runs a change; bad input or a conflict shows the form again with the message and its status. */
async function attempt(res: Response, change: () => Promise<void>, showAgain: (error: HttpError) => Promise<void>): Promise<void> {
  try {
    await change();
  } catch (error) {
    const shown = formError(error);
    if (!shown) throw error;
    res.status(shown.status);
    await showAgain(shown);
  }
}

/** What a form shows: its message and status after a failed submit, and what was typed. */
const formState = (req: Request, error: HttpError | null) => ({ error: error?.message ?? null, typed: error ? (req.body as Record<string, unknown>) : {} });
const formStatus = (error: HttpError | null) => error?.status ?? 200;

export function memberRoutes(deps: Deps): express.Router {
  const router = express.Router();
  const canManage = projectGuard(deps, 'projectroles.update_project_members');

  const addForm = async (req: Request, res: Response, error: HttpError | null) =>
    renderPage(req, res, 'projectroles/member_form', { title: `Add member to ${req.project!.title}`, project: req.project!, roles: await offeredRoles(deps, req), assignment: null, promote: null, ...formState(req, error) }, formStatus(error));
  router.get('/members/create/:project', canManage, (req, res) => addForm(req, res, null));
  router.post('/members/create/:project', canManage, async (req, res) => {
    await attempt(res, async () => {
      const role = roleField(req);
      if (role === 'project delegate' && !(await deps.rules.test('projectroles.update_project_delegate', req.user!, req.projectAccess))) throw new PermissionDeniedError('Only owners may add delegates.');
      const user = await userField(deps, req, 'user');
      await addMember(deps, memberChange(deps, req, rulesToGive(role, 'projectroles.update_project_members')), user, role);
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
  const promoteForm = async (req: Request, res: Response, error: HttpError | null) => {
    const { inherited, user, roles } = await promoteTarget(req);
    renderPage(req, res, 'projectroles/member_form', { title: `Promote ${user.username} (inherited ${inherited.role})`, project: req.project!, roles, assignment: null, promote: user, ...formState(req, error) }, formStatus(error));
  };
  const promotePath = '/members/promote/:project/assignment/:promote_as';
  router.get(promotePath, canManage, (req, res) => promoteForm(req, res, null));
  router.post(promotePath, canManage, async (req, res) => {
    await attempt(res, async () => {
      const { user, roles } = await promoteTarget(req);
      const role = roleField(req);
      if (!roles.includes(role)) throw new BadInputError(`role: ${role} is not a promotion you may give`);
      await addMember(deps, memberChange(deps, req, rulesToGive(role, 'projectroles.update_project_members')), user, role);
      flash(req, 'success', `${user.username} promoted to ${role.replace('project ', '')}.`);
      res.redirect(membersUrl(req.project!));
    }, (error) => promoteForm(req, res, error));
  });

  const changeForm = async (req: Request, res: Response, error: HttpError | null) =>
    renderPage(req, res, 'projectroles/member_form', { title: `Change role in ${req.project!.title}`, project: req.project!, roles: await offeredRoles(deps, req), assignment: req.assignment!, promote: null, ...formState(req, error) }, formStatus(error));
  router.get('/members/update/:roleassignment', assignmentGuard(deps), (req, res) => changeForm(req, res, null));
  router.post('/members/update/:roleassignment', assignmentGuard(deps), async (req, res) => {
    await attempt(res, async () => {
      const role = roleField(req);
      if (role === 'project delegate' && !(await deps.rules.test('projectroles.update_project_delegate', req.user!, req.projectAccess))) throw new PermissionDeniedError('Only owners may make delegates.');
      await changeMember(deps, memberChange(deps, req, rulesToGive(role, assignmentRule(req.assignment!.role))), req.assignment!, role);
      flash(req, 'success', 'Role changed.');
      res.redirect(membersUrl(req.project!));
    }, (error) => changeForm(req, res, error));
  });

  const confirm = (title: string, action: string) => (req: Request, res: Response) =>
    renderPage(req, res, 'projectroles/member_confirm', { title, project: req.project!, assignment: req.assignment!, action });
  router.get('/members/delete/:roleassignment', assignmentGuard(deps), confirm('Remove member', 'Remove'));
  router.post('/members/delete/:roleassignment', assignmentGuard(deps), async (req, res) => {
    await removeMember(deps, memberChange(deps, req, [assignmentRule(req.assignment!.role)]), req.assignment!);
    flash(req, 'success', 'Member removed.');
    res.redirect(membersUrl(req.project!));
  });
  router.get('/members/delete/own/:roleassignment', assignmentGuard(deps, { own: true }), confirm('Leave project', 'Leave'));
  router.post('/members/delete/own/:roleassignment', assignmentGuard(deps, { own: true }), async (req, res) => {
    // Leaving needs no right but the own role, which the service finds unchanged or refuses.
    await removeMember(deps, memberChange(deps, req, []), req.assignment!);
    flash(req, 'success', `You left ${req.project!.title}.`);
    res.redirect('/');
  });

  const canTransfer = projectGuard(deps, 'projectroles.update_project_owner');
  const transferForm = (req: Request, res: Response, error: HttpError | null) =>
    renderPage(req, res, 'projectroles/owner_transfer', { title: `Transfer ownership of ${req.project!.title}`, project: req.project!, roles: ROLE_NAMES.filter((r) => r !== 'project owner' && r !== 'project finder'), ...formState(req, error) }, formStatus(error));
  router.get('/members/owner/transfer/:project', canTransfer, (req, res) => transferForm(req, res, null));
  router.post('/members/owner/transfer/:project', canTransfer, async (req, res) => {
    await attempt(res, async () => {
      const newOwner = await userField(deps, req, 'new_owner');
      const oldOwnerRole = field(req, 'old_owner_role') === '' ? null : roleField(req, 'old_owner_role');
      await transferOwner(deps, memberChange(deps, req, ['projectroles.update_project_owner']), newOwner, oldOwnerRole);
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
