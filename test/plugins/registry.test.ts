import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExampleAPI, exampleSettings } from '../../example_backend_app/api';
import { ExampleBackendPlugin } from '../../example_backend_app/plugin';
import { BackendPluginPoint, SiteAppPluginPoint, type PluginClass, type PluginRoute } from '../../projectroles/plugin-points';
import { PluginRegistry, PluginStartError } from '../../projectroles/registry';
import { RuleSet } from '../../projectroles/rules';

function newRegistry(enabledBackendPlugins: string[] | null = null): PluginRegistry {
  return new PluginRegistry({ enabledBackendPlugins, rules: new RuleSet() });
}

function newRegistryWith(PluginClass: PluginClass): PluginRegistry {
  const registry = newRegistry();
  registry.register(PluginClass);
  return registry;
}

class BadNamePlugin extends BackendPluginPoint {
  readonly name = 'Bad-Name';
  readonly title = 'Bad';
  readonly icon = 'bug';
  readonly description = '';
  getApi() {
    return {};
  }
}

class NoIconPlugin {
  static pluginType = 'backend';
  name = 'no_icon';
  title = 'No icon';
  description = '';
  getApi() {
    return {};
  }
}

/** A site app named `name` whose entry point is `entryPoint`, with `urls`. */
function siteApp(name: string, entryPoint: string, urls: PluginRoute[] = []) {
  return class extends SiteAppPluginPoint {
    readonly name = name;
    readonly title = name;
    readonly icon = 'bug';
    readonly description = '';
    readonly entryPoint = entryPoint;
    readonly appPermission = null;
    override urls = urls;
  };
}

class WrongEntryPointSiteApp extends siteApp('wrong_entry', 'missing') {}

class FailingStartPlugin extends BackendPluginPoint {
  readonly name = 'failing_start';
  readonly title = 'Failing start';
  readonly icon = 'bug';
  readonly description = '';
  getApi() {
    return {};
  }
  override onStart(): void {
    throw new Error('cannot reach the archive');
  }
}

const asClass = (value: unknown) => value as PluginClass;

describe('plugin registry', () => {
  it('registers a plugin and hands out its API with the arguments given', () => {
    const registry = newRegistry();
    const entry = registry.register(ExampleBackendPlugin);
    assert.equal(entry.type, 'backend');
    assert.deepEqual(registry.getActivePlugins('backend').map((p) => p.name), ['example_backend_app']);
    const api = registry.getBackendApi('example_backend_app', { hello: 'world' });
    assert.ok(api instanceof ExampleAPI);
    assert.equal(api.hello(), 'Hello world from example_backend_app! (options: {"hello":"world"})');
    assert.equal(registry.getAppPlugin('example_backend_app')?.title, 'Example Backend App');
  });

  it('refuses a duplicate name within a type, naming the class', () => {
    const registry = newRegistry();
    registry.register(ExampleBackendPlugin);
    assert.throws(() => registry.register(ExampleBackendPlugin), /Plugin class ExampleBackendPlugin \(built in\): name "example_backend_app" is already registered as a backend plugin/);
  });

  it('refuses a bad name, naming the class and member', () => {
    assert.throws(() => newRegistry().register(BadNamePlugin), /Plugin class BadNamePlugin \(built in\): member "name" must be a string matching/);
  });

  it('refuses a name the core serves URLs under or keeps, unless the plugin is part of the core', () => {
    const named = (name: string) =>
      class NamedPlugin extends ExampleBackendPlugin {
        override readonly name = name as 'example_backend_app'; // a wrong value, as a drop-in could have
      };
    assert.throws(() => newRegistry().register(named('login')), /Plugin class NamedPlugin \(built in\): name "login" is reserved: the core serves \/login/);
    assert.throws(() => newRegistry().register(named('api')), /name "api" is reserved: kept for the site-wide REST API/);
    assert.throws(() => newRegistry().register(named('projectroles')), /name "projectroles" is reserved: it is the core app/);
    assert.throws(() => newRegistry().register(named('plugins')), /name "plugins" is reserved: the core serves the plugins page/);
    const corePlugins = asClass(class CorePlugins { static pluginType = 'backend'; name = 'plugins'; title = 'Plugins'; icon = 'plug'; description = ''; getApi() { return 1; } });
    assert.equal(newRegistry().register(corePlugins, undefined, { core: true }).plugin.name, 'plugins');
  });

  it('lets one origin use a name for several types, and refuses it to any other origin', () => {
    class ExampleSiteApp extends siteApp('example_backend_app', 'index', [{ name: 'index', method: 'get', path: '/', kind: 'page', handler: (_req, res) => res.end() }]) {}
    const registry = newRegistry();
    registry.register(ExampleBackendPlugin);
    assert.equal(registry.register(ExampleSiteApp).type, 'site_app');
    const dropIn = { source: '/srv/plugins/example_backend_app', dir: '/srv/plugins/example_backend_app' };
    assert.throws(
      () => newRegistryWith(ExampleBackendPlugin).register(ExampleSiteApp, dropIn),
      /Plugin class ExampleSiteApp \(\/srv\/plugins\/example_backend_app\): name "example_backend_app" is already taken by the backend plugin ExampleBackendPlugin \(built in\)/,
    );
  });

  it('refuses a missing mandatory member, naming the class and member', () => {
    assert.throws(() => newRegistry().register(asClass(NoIconPlugin)), /Plugin class NoIconPlugin \(built in\): member "icon" must be .* \(it is missing\)/);
  });

  it('refuses an entry point that names no route and a class without a plugin type', () => {
    assert.throws(() => newRegistry().register(WrongEntryPointSiteApp), /WrongEntryPointSiteApp.*"entryPoint" names route "missing", which is not in "urls"/);
    assert.throws(() => newRegistry().register(asClass(class Plain {})), /Plugin class Plain.*static member "pluginType"/);
  });

  it('fills the defaults a plain drop-in class leaves out', () => {
    const entry = newRegistry().register(asClass(class Minimal { static pluginType = 'backend'; name = 'minimal'; title = 'Minimal'; icon = 'cube'; description = ''; getApi() { return 1; } }));
    assert.deepEqual(entry.plugin.urls, []);
    assert.equal(entry.plugin.pluginOrdering, 50);
  });

  it("reads the example's showGreeting setting: off by default, a wrong type names the field", () => {
    assert.deepEqual(exampleSettings({}), { showGreeting: false });
    assert.equal(new ExampleAPI({}, exampleSettings({ showGreeting: true })).homeGreeting(), 'Hello world from example_backend_app! (options: {})');
    assert.equal(new ExampleAPI().homeGreeting(), null);
    assert.throws(() => exampleSettings({ showGreeting: 'yes' }), /PLUGIN_CONFIG "example_backend_app.showGreeting" must be true or false \(got "yes"\)/);
  });

  it('returns null for an absent backend plugin', () => {
    assert.equal(newRegistry().getBackendApi('example_backend_app'), null);
  });

  it('returns null for a backend plugin left out of ENABLED_BACKEND_PLUGINS', () => {
    const registry = newRegistry(['timeline']);
    registry.register(ExampleBackendPlugin);
    assert.equal(registry.getBackendApi('example_backend_app'), null);
    assert.deepEqual(registry.getActivePlugins('backend'), []);
  });

  it('returns null for a backend plugin disabled at run time, and the API again once enabled', () => {
    const registry = newRegistry();
    registry.register(ExampleBackendPlugin);
    registry.setDisabled([{ type: 'backend', name: 'example_backend_app' }]);
    assert.equal(registry.getBackendApi('example_backend_app'), null);
    registry.setDisabled([]);
    assert.ok(registry.getBackendApi('example_backend_app') instanceof ExampleAPI);
  });

  it('names the plugin whose start failed, or marks it failed when told to go on', async () => {
    const context = () => ({ config: {} }) as never; // all the started plugins read
    const strict = newRegistry();
    strict.register(FailingStartPlugin);
    await assert.rejects(strict.start(context, false), (error: Error) => error instanceof PluginStartError && /Plugin 'failing_start' \(FailingStartPlugin, built in\) failed to start: cannot reach the archive/.test(error.message));

    const lenient = newRegistry();
    lenient.register(ExampleBackendPlugin);
    const failing = lenient.register(FailingStartPlugin);
    await lenient.start(context, true);
    assert.equal(failing.status, 'failed');
    assert.equal(failing.error, 'cannot reach the archive');
    assert.equal(lenient.getAppPlugin('failing_start'), null);
    assert.ok(lenient.getBackendApi('example_backend_app'));
  });

  it('starts in registration order and stops in reverse', async () => {
    const calls: string[] = [];
    const tracked = (name: string) =>
      class extends BackendPluginPoint {
        readonly name = name;
        readonly title = name;
        readonly icon = 'cube';
        readonly description = '';
        getApi() {
          return {};
        }
        override onStart() {
          calls.push(`start ${name}`);
        }
        override onStop() {
          calls.push(`stop ${name}`);
        }
      };
    const registry = newRegistry();
    registry.register(tracked('first'));
    registry.register(tracked('second'));
    await registry.start(() => ({}) as never, false);
    await registry.stop();
    assert.deepEqual(calls, ['start first', 'start second', 'stop second', 'stop first']);
  });
});
