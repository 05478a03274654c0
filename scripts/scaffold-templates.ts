/** The files `npm run new-plugin` writes, per plugin type. */
export type ScaffoldType = 'backend' | 'project' | 'site';

const pascal = (name: string) => name.split('_').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');

function apiFile(name: string): string {
  return `/** The API other apps get from \`getBackendApi('${name}')\`. */
export class ${pascal(name)}API {
  constructor(readonly options: Record<string, unknown> = {}) {}

  hello(): string {
    return \`Hello from ${name}! (options: \${JSON.stringify(this.options)})\`;
  }
}
`;
}

function routesFile(name: string, type: ScaffoldType, root: string): string {
  const api = `import { ${pascal(name)}API } from './api';\n`;
  const ajax = `  {
    name: 'hello',
    method: 'get',
    path: '/hello',
    kind: 'ajax',${type === 'project' ? "\n    // Not inside a project, so the project rule cannot apply: logged-in users only.\n    permission: null," : ''}
    handler: (req, res) => {
      // req.plugin: this plugin's context (config: its PLUGIN_CONFIG section, dataSource, logger, registry, rules, renderPage).
      req.plugin.logger.debug({ user: req.user!.username }, 'hello');
      const api = new ${pascal(name)}API({ ...req.plugin.config, user: req.user!.username });
      res.json({ greeting: api.hello(), user: req.user!.sodar_uuid });
    },
  },
`;
  const page =
    type === 'project'
      ? `  {
    name: 'index',
    method: 'get',
    path: '/:project',
    kind: 'page',
    handler: (req, res) => {
      // req.project: the project of the URL, already found and permission-checked by the registry.
      // req.plugin.renderPage: a template of this plugin's views/ folder inside the site layout.
      req.plugin.renderPage(req, res, 'page', { title: '${pascal(name)}', project: req.project!.full_title, greeting: new ${pascal(name)}API(req.plugin.config).hello() });
    },
  },
`
      : `  {
    name: 'index',
    method: 'get',
    path: '/',
    kind: 'page',
    handler: (req, res) => {
      // req.plugin.renderPage: a template of this plugin's views/ folder inside the site layout.
      req.plugin.renderPage(req, res, 'page', { title: '${pascal(name)}', project: null, greeting: new ${pascal(name)}API(req.plugin.config).hello() });
    },
  },
`;
  return `/** Routes of ${name}, mounted by the registry under /${name}/ (pages) and /${name}/ajax/; handlers get its context as req.plugin. */
import type { PluginRoute } from '${root}/projectroles/plugin-points';
${api}
export const routes: PluginRoute[] = [
${type === 'backend' ? '' : page}${ajax}];
`;
}

function pluginFile(name: string, type: ScaffoldType, root: string): string {
  const base = { backend: 'BackendPluginPoint', project: 'ProjectAppPluginPoint', site: 'SiteAppPluginPoint' }[type];
  const members = {
    backend: `  getApi(options: Record<string, unknown> = {}): ${pascal(name)}API {
    return new ${pascal(name)}API(options);
  }
`,
    project: `  readonly entryPoint = 'index';
  // Whoever may see the project may use the app; define rules of your own for more.
  readonly appPermission = 'projectroles.view_project';
`,
    site: `  readonly entryPoint = 'index';
  readonly appPermission = null;
`,
  }[type];
  const augmentation =
    type === 'backend'
      ? `
declare module '${root}/projectroles/plugin-points' {
  interface BackendPlugins {
    ${name}: ${pascal(name)}Plugin;
  }
}
`
      : '';
  const apiImport = type === 'backend' ? `import { ${pascal(name)}API } from './api';\n` : '';
  return `/** ${pascal(name)}: a ${type} plugin, registered at start from its drop-in folder. */
import { ${base} } from '${root}/projectroles/plugin-points';
${apiImport}import { routes } from './routes';

export class ${pascal(name)}Plugin extends ${base} {
  readonly name = '${name}';
  readonly title = '${pascal(name)}';
  readonly icon = 'puzzle-piece';
  readonly description = 'Describe what ${name} does';
  override urls = routes;
${members}}
${augmentation}`;
}

const PAGE = `<h2><i class="fa fa-puzzle-piece"></i> <%= title %></h2>
<% if (project) { %><p class="text-muted">Project <code><%= project %></code></p><% } %>
<p id="plugin-greeting"><%= greeting %></p>
`;

function testFile(name: string, type: ScaffoldType, root: string): string {
  const isProject = type === 'project';
  // In the generated test, the project page's path is a template literal of its own.
  const pagePath = isProject ? '`/' + name + '/${project.sodar_uuid}`' : `'/${name}/'`;
  const projectSetup = [
    "const tester = await site.createUser({ username: 'tester' });",
    "    await site.createUser({ username: 'stranger' });",
    "    const category = await createProject(site.db.dataSource, { title: 'Category', type: 'CATEGORY', parent: null, owner: tester });",
    "    project = await createProject(site.db.dataSource, { title: 'Project', type: 'PROJECT', parent: category, owner: tester });",
  ].join('\n');
  const projectChecks = [
    '',
    `    await agent.get('/${name}/not-a-uuid').expect(404);`,
    `    await agent.get('/${name}/6f1c8e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b').expect(404);`,
    "    const stranger = await logIn(site.app, 'stranger');",
    `    await stranger.get(${pagePath}).expect(302).expect('Location', '/');`,
  ].join('\n');
  const pageTest =
    type === 'backend'
      ? ''
      : `
  it('shows its page inside the site layout, and sends anonymous users to login${isProject ? ', others home' : ''}', async () => {
    const agent = await logIn(site.app, 'tester');
    const page = await agent.get(${pagePath}).expect(200);
    assert.match(page.text, /Hello from ${name}!/);
    assert.match(page.text, /navbar/);
    await anonymous(site.app).get(${pagePath}).expect(302);${isProject ? projectChecks : ''}
  });
`;
  return `import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
${isProject ? `import { createProject } from '${root}/projectroles/projects';\n` : ''}import { anonymous, logIn, startTestSite, type TestSite } from '${root}/test/helpers/site';

describe('${name} plugin', () => {
  let site: TestSite;${isProject ? '\n  let project: { sodar_uuid: string };' : ''}
  before(async () => {
    // This folder's parent is the plugin folder; the plugin's config section reaches its handlers as req.plugin.config.
    const config = { ${name}: { setting: 'from PLUGIN_CONFIG' } };
    site = await startTestSite({ env: { PLUGIN_DIRS: path.dirname(__dirname), PLUGIN_CONFIG: JSON.stringify(config) } });
    ${isProject ? projectSetup : "await site.createUser({ username: 'tester' });"}
  });
  after(async () => {
    await site.close();
    await site.location.remove();
  });

  it('is registered and active', () => {
    assert.ok(site.registry.getAppPlugin('${name}'));
  });

  it('answers its Ajax endpoint for a logged-in user and 403 for anonymous', async () => {
    const agent = await logIn(site.app, 'tester');
    const res = await agent.get('/${name}/ajax/hello').expect(200);
    assert.match(res.body.greeting, /^Hello from ${name}!/);
    assert.match(res.body.greeting, /"setting":"from PLUGIN_CONFIG"/);
    await anonymous(site.app).get('/${name}/ajax/hello').expect(403);
  });
${pageTest}});
`;
}

/** File name to content, for a plugin named `name` whose folder reaches the repository root by `root`. */
export function pluginFiles(name: string, type: ScaffoldType, root: string): Record<string, string> {
  const files: Record<string, string> = {
    'plugin.ts': pluginFile(name, type, root),
    'api.ts': apiFile(name),
    'routes.ts': routesFile(name, type, root),
    [`${name}.test.ts`]: testFile(name, type, root),
  };
  if (type !== 'backend') files['views/page.ejs'] = PAGE;
  return files;
}
