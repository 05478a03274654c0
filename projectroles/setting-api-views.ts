/**
 * The app settings REST endpoints (reference apps §5.1): read and set PROJECT and
 * PROJECT_USER settings of a project, USER settings of the caller. Beyond SODAR (#974): a
 * PROJECT or PROJECT_USER value is read under the definition's readRule, a secret's value
 * never leaves the server (`value: null, secret: true`), and a GET writes nothing (SODAR
 * creates the row with its default).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { DataSource } from 'typeorm';
import { validate as isUuid } from 'uuid';
import { BadInputError, HttpError, PermissionDeniedError } from '../app/errors';
import { negotiateVersion, requireApiUser } from '../app/rest';
import { AppSettingError, coerceValue, type SettingDefinition, type SettingScope, type SettingValue } from './app-setting-definitions';
import type { AppSettings } from './app-settings';
import { UserEntity, type Project, type User } from './entities';
import { PROJECTROLES_MEDIA_TYPE } from './api-views';
import { signedInUser } from './auth';
import { guardedProject, projectGuard, type GuardDeps } from './project-access';
import { coreSettingProblem, placeOf } from './project-setting-checks';
import type { PluginRegistry } from './registry';
import { serializeUser } from './serializers';
import { applySettingChanges, NOT_USER_MODIFIABLE } from './setting-updates';

export interface SettingApiDeps extends GuardDeps {
  registry: PluginRegistry;
  settings: AppSettings;
}

/** 400 with SODAR's bare-list body (a ValidationError raised in the view). */
class SettingRequestError extends BadInputError {}

const READ_ONLY_MESSAGE = 'Site in read-only mode, operation not allowed';
const OTHER_USER_MESSAGE = 'User is not allowed to update settings for other users';

/** The parameters of a request: the query (GET) or the body (POST, JSON or form). */
function paramsOf(req: Request): Record<string, unknown> {
  return (req.method === 'GET' ? req.query : (req.body ?? {})) as Record<string, unknown>;
}

/** The definition named by plugin_name and setting_name, of one of `scopes`. */
function definitionOf(settings: AppSettings, params: Record<string, unknown>, scopes: SettingScope[]): SettingDefinition {
  const plugin = typeof params.plugin_name === 'string' ? params.plugin_name : '';
  if (plugin === '') throw new SettingRequestError('Plugin object and name both unset');
  const name = typeof params.setting_name === 'string' ? params.setting_name : '';
  let def: SettingDefinition;
  try {
    def = settings.definitions.get(plugin, name);
  } catch (error) {
    throw error instanceof AppSettingError ? new SettingRequestError(error.message) : error;
  }
  if (!scopes.includes(def.scope)) throw new SettingRequestError('Invalid setting scope');
  return def;
}

/** The `user` of a PROJECT_USER request: the caller, or anyone for a superuser. */
async function settingUser(dataSource: DataSource, req: Request, value: unknown): Promise<User> {
  const caller = req.user;
  const uuid = typeof value === 'string' ? value : '';
  if (!isUuid(uuid)) throw new SettingRequestError('No user given for PROJECT_USER setting');
  if (caller && caller.sodar_uuid === uuid) return caller;
  if (!caller?.is_superuser) throw new PermissionDeniedError(OTHER_USER_MESSAGE);
  const user = await dataSource.getRepository(UserEntity).findOneBy({ sodar_uuid: uuid });
  if (!user) throw new SettingRequestError('No user given for PROJECT_USER setting');
  return user;
}

/** The AppSetting serializer's fields (reference apps §4.6), a secret without its value. */
function serializeSetting(def: SettingDefinition, value: SettingValue, target: { project: Project | null; user: User | null }, version: string) {
  const body: Record<string, unknown> = {
    plugin_name: def.plugin,
    project: target.project?.sodar_uuid ?? null,
    user: target.user ? (version === '2.0' ? target.user.sodar_uuid : serializeUser(target.user, version)) : null,
    name: def.name,
    type: def.type,
    value: def.secret ? null : value,
    user_modifiable: def.userModifiable,
  };
  if (def.secret) body.secret = true;
  return body;
}

/** The value sent, typed (an INTEGER may come as digits, JSON as text); 400 when absent or of the wrong type. */
function postedValue(def: SettingDefinition, params: Record<string, unknown>): SettingValue {
  if (!('value' in params) || params.value === undefined) throw new SettingRequestError('Value not set in request data');
  try {
    return coerceValue(def, params.value);
  } catch (error) {
    throw error instanceof AppSettingError ? new SettingRequestError(error.message) : error;
  }
}

/** SODAR's USER endpoints refuse anonymous callers with 403 (not the 401 a PermissionDeniedError becomes for them). */
const authenticated = (req: Request, _res: Response, next: NextFunction) => next(req.user ? undefined : new HttpError(403, 'Anonymous access not allowed'));

type Handler = (req: Request, res: Response) => Promise<void>;
const wrap = (handler: Handler) => (req: Request, res: Response, next: NextFunction) => handler(req, res).catch(next);

export function settingApiRoutes(deps: SettingApiDeps): express.Router {
  const router = express.Router();
  const rest = negotiateVersion(PROJECTROLES_MEDIA_TYPE);

  /** Stores one value through the one settings service, in a transaction; AppSettingError (options, project type) → 400. */
  const store = (actor: User, target: { project?: Project; user?: User }, def: SettingDefinition, value: SettingValue) =>
    deps.dataSource
      .transaction((manager) => applySettingChanges(deps, manager, actor, target, new Map([[def, value]])))
      .catch((error: unknown) => {
        throw error instanceof AppSettingError ? new SettingRequestError(error.message) : error;
      });

  router.get('/api/settings/retrieve/user', rest, authenticated, wrap(async (req, res) => {
    const def = definitionOf(deps.settings, paramsOf(req), ['USER']);
    const user = signedInUser(req);
    const value = await deps.settings.get(def.plugin, def.name, { user });
    res.json(serializeSetting(def, value, { project: null, user }, req.apiVersion ?? PROJECTROLES_MEDIA_TYPE.defaultVersion));
  }));

  router.post('/api/settings/set/user', rest, authenticated, wrap(async (req, res) => {
    const params = paramsOf(req);
    const def = definitionOf(deps.settings, params, ['USER']);
    // As SODAR: not even a superuser sets a non-modifiable setting here; allowed in read-only mode.
    if (!def.userModifiable) throw new PermissionDeniedError(NOT_USER_MODIFIABLE);
    const user = signedInUser(req);
    await store(user, { user }, def, postedValue(def, params));
    res.json({ detail: `Set value of ${def.plugin}.settings.${def.name}` });
  }));

  /** The project's target of a PROJECT or PROJECT_USER request, after the user checks. */
  const projectTarget = async (req: Request, def: SettingDefinition, params: Record<string, unknown>) => {
    const project = guardedProject(req);
    if (!def.projectTypes.includes(project.type)) throw new SettingRequestError(`Project type ${project.type} not allowed for setting ${def.name}`);
    return { project, user: def.scope === 'PROJECT_USER' ? await settingUser(deps.dataSource, req, params.user) : null };
  };

  router.get('/api/settings/retrieve/:project', rest, projectGuard(deps, 'projectroles.view_project'), wrap(async (req, res) => {
    const params = paramsOf(req);
    const def = definitionOf(deps.settings, params, ['PROJECT', 'PROJECT_USER']);
    if (!(await deps.rules.test(def.readRule, req.user ?? null, req.projectAccess))) {
      throw new PermissionDeniedError(`User lacks permission to access ${def.scope} scope app settings in this project`);
    }
    const target = await projectTarget(req, def, params);
    const value = await deps.settings.get(def.plugin, def.name, target);
    res.json(serializeSetting(def, value, target, req.apiVersion ?? PROJECTROLES_MEDIA_TYPE.defaultVersion));
  }));

  router.post('/api/settings/set/:project', rest, requireApiUser, projectGuard(deps, 'projectroles.view_project'), wrap(async (req, res) => {
    const params = paramsOf(req);
    const def = definitionOf(deps.settings, params, ['PROJECT', 'PROJECT_USER']);
    const user = signedInUser(req);
    if (def.scope === 'PROJECT' && !(await deps.rules.test('projectroles.update_project_settings', user, req.projectAccess))) {
      throw new PermissionDeniedError('User lacks permission to update PROJECT scope app settings in this project');
    }
    if (def.scope === 'PROJECT_USER' && !user.is_superuser && deps.settings.siteValues.readOnly()) throw new PermissionDeniedError(READ_ONLY_MESSAGE);
    if (!def.userModifiable) throw new PermissionDeniedError(NOT_USER_MODIFIABLE);
    const target = await projectTarget(req, def, params);
    const value = postedValue(def, params);
    const problem = coreSettingProblem(def, value, placeOf(target.project), 'api');
    if (problem) throw new SettingRequestError(problem);
    await store(user, { project: target.project, ...(target.user ? { user: target.user } : {}) }, def, value);
    res.json({ detail: `Set value of ${def.plugin}.settings.${def.name} (project=${target.project.sodar_uuid}; user=${target.user?.sodar_uuid ?? 'None'})` });
  }));

  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (error instanceof SettingRequestError) res.status(400).json([error.message]);
    else next(error);
  });
  return router;
}
