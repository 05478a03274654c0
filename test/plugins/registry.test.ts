import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExampleAPI } from '../../example_backend_app/api';
import { ExampleBackendPlugin } from '../../example_backend_app/plugin';
import { BackendPluginPoint, SiteAppPluginPoint, type PluginClass } from '../../projectroles/plugin-points';
import { PluginRegistry, PluginStartError } from '../../projectroles/registry';
import { RuleSet } from '../../projectroles/rules';

function newRegistry(enabledBackendPlugins: string[] | null = null): PluginRegistry {
  return new PluginRegistry({ enabledBackendPlugins, rules: new RuleSet() });
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

class WrongEntryPointSiteApp extends SiteAppPluginPoint {
  readonly name = 'wrong_entry';
  readonly title = 'Wrong entry';
  readonly icon = 'bug';
  readonly description = '';
  readonly entryPoint = 'missing';
  readonly appPermission = null;
}

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

  it('refuses a name the core serves URLs under', () => {
    class LoginPlugin extends ExampleBackendPlugin {
      override readonly name = 'login' as 'example_backend_app'; // a wrong value, as a drop-in could have
    }
    assert.throws(() => newRegistry().register(LoginPlugin), /Plugin class LoginPlugin \(built in\): member "name" must be .* other than the core's URL paths \(project, login/);
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
    const context = () => ({}) as never;
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
