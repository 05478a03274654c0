/** The smallest real backend app: a name, a title and an API factory. The model for new ones. */
import { BackendPluginPoint } from '../projectroles/plugin-points';
import { isAuthenticated } from '../projectroles/rules';
import { ExampleAPI } from './api';
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

  getApi(options: Record<string, unknown> = {}): ExampleAPI {
    return new ExampleAPI(options);
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
