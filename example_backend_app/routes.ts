/** Ajax endpoints of example_backend_app, mounted by the registry under /example_backend_app/ajax/. */
import type { PluginRoute } from '../projectroles/plugin-points';
import { ExampleAPI } from './api';

export const exampleRoutes: PluginRoute[] = [
  {
    name: 'hello',
    method: 'get',
    path: '/hello',
    kind: 'ajax',
    permission: 'example_backend_app.view_hello',
    handler: (req, res) => {
      res.json({ greeting: new ExampleAPI({ user: req.user!.username }).hello(), user: req.user!.sodar_uuid });
    },
  },
];
