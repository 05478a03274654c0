/** The smallest real backend app: a name, a title and an API factory. The model for new ones. */
import type { PluginContext } from '../projectroles/plugin-context';
import { BackendPluginPoint } from '../projectroles/plugin-points';
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
