/**
 * The timeline app (reference §3.1): the backend plugin `timeline` whose API records
 * events, the project app `timeline` with the pages, Ajax and REST routes (all under
 * /timeline/, as SODAR's URLs), and two site apps for the user menu.
 */
import type { Request, Response } from 'express';
import type { User } from '../projectroles/entities';
import { BackendPluginPoint, ProjectAppPluginPoint, SiteAppPluginPoint, type PluginRoute, type PluginSearchResult } from '../projectroles/plugin-points';
import type { PluginContext } from '../projectroles/plugin-context';
import { canModifyProjectData, isProjectContributor, isProjectDelegate, isProjectGuest, isProjectOwner } from '../projectroles/project-rules';
import { allOf, anyOf, isAuthenticated } from '../projectroles/rules';
import { cardAjax, detailAjax, extraAjax, liveAjax, rowAjax, statusExtraAjax } from './ajax-views';
import { TimelineAPI } from './api';
import { apiCreate, apiListProject, apiListSite, apiRetrieve, rest } from './api-views';
import { TimelineEventEntity, TimelineEventObjectRefEntity, TimelineEventStatusEntity } from './entities';
import { LiveEvents } from './live';
import { Timeline1764000100000 } from './migrations';
import { searchEvents } from './search';
import { objectListPage, projectListPage, siteListPage, siteObjectListPage, type TimelineViewDeps } from './views';

const DEFAULT_REPEAT_WINDOW_SECONDS = 60;
const OBJECT_MODEL = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const nobody = () => false; // superusers pass every rule anyway

/** The API for this site, from a plugin's start context (config: `{"timeline": {"repeatWindowSeconds": 60}}`). */
function apiFrom(context: PluginContext): TimelineAPI {
  const window = Number(context.config.repeatWindowSeconds ?? DEFAULT_REPEAT_WINDOW_SECONDS);
  return new TimelineAPI({ dataSource: context.dataSource, registry: context.registry, rules: context.rules, repeatWindowSeconds: window });
}

function notStarted(): never {
  throw new Error('the timeline plugin has not been started');
}

export class TimelineBackendPlugin extends BackendPluginPoint {
  readonly name = 'timeline';
  readonly title = 'Timeline Backend';
  readonly icon = 'clock-o';
  readonly description = 'Timeline backend for recording project and site events';
  override entities = [TimelineEventEntity, TimelineEventObjectRefEntity, TimelineEventStatusEntity];
  override migrations = [Timeline1764000100000];
  private api: TimelineAPI | null = null;

  override onStart(context: PluginContext): void {
    this.api = apiFrom(context);
  }

  getApi(): TimelineAPI {
    return this.api ?? notStarted();
  }
}

export class TimelineProjectApp extends ProjectAppPluginPoint {
  readonly name = 'timeline';
  readonly title = 'Timeline';
  readonly icon = 'clock-o';
  readonly description = 'Timeline of project events';
  readonly entryPoint = 'list_project';
  readonly appPermission = 'timeline.view_timeline';
  override categoryEnable = true;
  override searchEnable = true;
  override searchTypes = ['timeline'];
  override detailsTemplate = 'timeline/_details_card';
  override detailsTitle = 'Timeline Overview';
  override pluginOrdering = 40;
  override rules = {
    'timeline.view_timeline': anyOf(isProjectOwner, isProjectDelegate, isProjectContributor, isProjectGuest),
    'timeline.view_site_timeline': isAuthenticated,
    'timeline.view_site_admin': nobody,
    'timeline.view_classified_event': anyOf(isProjectOwner, isProjectDelegate),
    'timeline.view_classified_site_event': nobody,
    'timeline.view_event_extra_data': anyOf(isProjectOwner, isProjectDelegate),
    // Beyond SODAR: scripts record events through REST where they may change project data.
    'timeline.create_event': allOf(anyOf(isProjectOwner, isProjectDelegate, isProjectContributor), canModifyProjectData),
  };
  private deps: (TimelineViewDeps & { api: TimelineAPI; live: LiveEvents }) | null = null;
  override urls: PluginRoute[] = this.routes();

  override async onStart(context: PluginContext): Promise<void> {
    const live = new LiveEvents(context.logger);
    await live.start(context.listen);
    this.deps = { dataSource: context.dataSource, registry: context.registry, rules: context.rules, projectEntryDenial: context.projectEntryDenial, api: apiFrom(context), live };
  }

  override async onStop(): Promise<void> {
    await this.deps?.live.stop();
  }

  private started() {
    return this.deps ?? notStarted();
  }

  /** Handlers look their dependencies up when called: they exist only once the plugin started. */
  private routes(): PluginRoute[] {
    const deps = () => this.started();
    const withDeps = (make: (d: TimelineViewDeps) => (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response) => make(deps())(req, res);
    const modelParam = { params: { object_model: OBJECT_MODEL } };
    return [
      // Fixed paths before /:project.
      { name: 'list_site', method: 'get', path: '/site', kind: 'page', permission: 'timeline.view_site_timeline', handler: withDeps((d) => siteListPage(d, 'site')) },
      { name: 'list_admin', method: 'get', path: '/site/all', kind: 'page', permission: 'timeline.view_site_admin', handler: withDeps((d) => siteListPage(d, 'all')) },
      { name: 'list_object_site', method: 'get', path: '/site/:object_model/:object_uuid', kind: 'page', permission: 'timeline.view_site_timeline', ...modelParam, handler: withDeps(siteObjectListPage) },
      { name: 'api_list_site', method: 'get', path: '/api/list/site', kind: 'page', permission: null, handler: rest((req, res) => apiListSite(deps())(req, res)) },
      { name: 'api_retrieve', method: 'get', path: '/api/retrieve/:timelineevent', kind: 'page', permission: null, handler: rest((req, res) => apiRetrieve(deps())(req, res)) },
      { name: 'api_list_project', method: 'get', path: '/api/list/:project', kind: 'page', handler: rest((req, res) => apiListProject(deps())(req, res), { inProject: true }) },
      { name: 'api_create', method: 'post', path: '/api/create/:project', kind: 'page', permission: 'timeline.create_event', handler: rest((req, res) => apiCreate(deps().api)(req, res), { inProject: true }) },
      { name: 'ajax_detail_site', method: 'get', path: '/detail/site/:timelineevent', kind: 'ajax', permission: null, handler: withDeps(detailAjax) },
      { name: 'ajax_detail_project', anonymous: true, method: 'get', path: '/detail/:timelineevent', kind: 'ajax', permission: null, handler: withDeps(detailAjax) },
      { name: 'ajax_extra_status', anonymous: true, method: 'get', path: '/extra/status/:eventstatus', kind: 'ajax', permission: null, handler: withDeps(statusExtraAjax) },
      { name: 'ajax_extra_site', method: 'get', path: '/extra/site/:timelineevent', kind: 'ajax', permission: null, handler: withDeps(extraAjax) },
      { name: 'ajax_extra_project', anonymous: true, method: 'get', path: '/extra/:timelineevent', kind: 'ajax', permission: null, handler: withDeps(extraAjax) },
      { name: 'ajax_row', method: 'get', path: '/row/:project/:timelineevent', kind: 'ajax', handler: withDeps(rowAjax) },
      { name: 'ajax_card', method: 'get', path: '/card/:project', kind: 'ajax', handler: withDeps(cardAjax) },
      { name: 'ajax_live', method: 'get', path: '/live/:project', kind: 'ajax', handler: (req, res) => liveAjax(deps().live)(req, res) },
      // Last: /:project/... would also match /ajax/... and /api/... paths.
      { name: 'list_project', method: 'get', path: '/:project', kind: 'page', handler: withDeps(projectListPage) },
      { name: 'list_object', method: 'get', path: '/:project/:object_model/:object_uuid', kind: 'page', ...modelParam, handler: withDeps(objectListPage) },
    ];
  }

  override async getStatistics() {
    const [row]: Array<{ events: number; users: number }> = await this.started().dataSource.query('SELECT count(*) AS events, count(DISTINCT user_id) AS users FROM timeline_event');
    return {
      event_count: { label: 'Events', value: row!.events },
      user_count: { label: 'Users', value: row!.users },
    };
  }

  override search(terms: string[], user: User, options: { type?: string; projectUuids?: string[] }): Promise<PluginSearchResult[]> {
    return searchEvents(this.started(), terms, user, options);
  }
}

/** A user-menu entry for a list that lives under /timeline/ (SODAR's paths): its one route leads there. */
abstract class TimelineListSiteApp extends SiteAppPluginPoint {
  readonly entryPoint = 'list';
  protected abstract readonly listPath: string;
  override urls: PluginRoute[] = [{ name: 'list', method: 'get', path: '/', kind: 'page', handler: (_req, res) => res.redirect(this.listPath) }];
}

export class TimelineSiteApp extends TimelineListSiteApp {
  readonly name = 'timeline_site';
  readonly title = 'Site-Wide Events';
  readonly icon = 'globe';
  readonly description = 'Timeline of site-wide events';
  readonly appPermission = 'timeline.view_site_timeline';
  protected readonly listPath = '/timeline/site';
}

export class TimelineAdminSiteApp extends TimelineListSiteApp {
  readonly name = 'timeline_site_admin';
  readonly title = 'All Timeline Events';
  readonly icon = 'list';
  readonly description = 'Every timeline event of the site (superusers)';
  readonly appPermission = 'timeline.view_site_admin';
  protected readonly listPath = '/timeline/site/all';
}

declare module '../projectroles/plugin-points' {
  interface BackendPlugins {
    timeline: TimelineBackendPlugin;
  }
}
