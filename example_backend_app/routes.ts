/** Ajax endpoints of example_backend_app, mounted by the registry under /example_backend_app/ajax/. */
import type { PluginRoute } from '../projectroles/plugin-points';
import { ExampleAPI, exampleSettings } from './api';

export const exampleRoutes: PluginRoute[] = [
  {
    name: 'hello',
    method: 'get',
    path: '/hello',
    kind: 'ajax',
    permission: 'example_backend_app.view_hello',
    handler: async (req, res) => {
      // req.plugin: this plugin's context, set by the registry's router (config, dataSource, logger, settings, ...).
      const settings = exampleSettings(req.plugin.config);
      req.plugin.logger.debug({ user: req.user!.username }, 'hello');
      const api = new ExampleAPI({ user: req.user!.username }, settings);
      // The user's own app setting (USER scope), typed number through AppSettingTypes.
      const repeat = await req.plugin.settings.get('example_backend_app', 'greeting_repeat', { user: req.user });
      res.json({ greeting: api.hello(), user: req.user?.sodar_uuid ?? null, show_greeting: settings.showGreeting, greeting_repeat: repeat });
    },
  },
];
