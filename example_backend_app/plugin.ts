/** The smallest real backend app: a name, a title and an API factory. The model for new ones. */
import type { PluginContext } from '../projectroles/plugin-context';
import { BackendPluginPoint, type AppSettingDef } from '../projectroles/plugin-points';
import { isAuthenticated } from '../projectroles/rules';
import { ExampleAPI, exampleSettings, type ExampleSettings } from './api';
import { exampleRoutes } from './routes';

export class ExampleBackendPlugin extends BackendPluginPoint {
  readonly name = 'example_backend_app';
  readonly title = 'Example Backend App';
  readonly icon = 'code';
  readonly description = 'Example Backend API';
  override javascriptUrl = 'js/greeting.js';
  override cssUrl = 'css/greeting.css';
  override urls = exampleRoutes;
  override rules = { 'example_backend_app.view_hello': isAuthenticated };
  /** One setting of each scope people edit; read with `req.plugin.settings.get('example_backend_app', name, ...)`. */
  override appSettings: AppSettingDef[] = [
    // Every member may read the flag over the API (the default readRule is owners and delegates only).
    { name: 'feature_enabled', scope: 'PROJECT', type: 'BOOLEAN', default: false, label: 'Example feature', description: 'Turns the example feature on in this project', readRule: 'projectroles.view_project' },
    // A secret: forms show it as set, never its value; no page, JSON or timeline event shows it.
    { name: 'api_key', scope: 'PROJECT', type: 'STRING', default: '', label: 'Example API key', description: 'Key of the external service (write-only)', secret: true },
    { name: 'greeting_repeat', scope: 'USER', type: 'INTEGER', default: 1, options: [1, 2, 3], label: 'Greeting repeats', description: 'How often the hello endpoint greets you' },
    { name: 'show_tips', scope: 'PROJECT_USER', type: 'BOOLEAN', default: true, label: 'Show example tips', description: 'Show the example app tips to you in this project' },
  ];

  private settings: ExampleSettings = exampleSettings({});

  override onStart(context: PluginContext): void {
    this.settings = exampleSettings(context.config);
  }

  getApi(options: Record<string, unknown> = {}): ExampleAPI {
    return new ExampleAPI(options, this.settings);
  }

  override getStatistics() {
    return { backend_example_stat: { label: 'Backend example', value: true } };
  }
}

declare module '../projectroles/plugin-points' {
  interface BackendPlugins {
    example_backend_app: ExampleBackendPlugin;
  }
}

// Makes settings.get('example_backend_app', 'greeting_repeat', ...) a Promise<number>, with no cast.
declare module '../projectroles/app-settings' {
  interface AppSettingTypes {
    example_backend_app: { feature_enabled: boolean; api_key: string; greeting_repeat: number; show_tips: boolean };
  }
}
