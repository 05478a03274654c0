/**
 * Compile-time test, checked by `npm run typecheck`: if getBackendApi's typing degrades
 * (to `any`, or to accepting any name), an @ts-expect-error below becomes unused and tsc fails.
 */
import type { ExampleAPI } from '../../example_backend_app/api';
import type { PluginRegistry } from '../../projectroles/registry';

export function typedBackendApiUse(registry: PluginRegistry): string | null {
  // Inferred, not annotated, so a degraded (any) return type shows in the checks below.
  const api = registry.getBackendApi('example_backend_app', { hello: 'world' });
  const exact: ExampleAPI | null = api;

  // @ts-expect-error: no backend plugin has this name.
  registry.getBackendApi('no_such_plugin');

  // @ts-expect-error: ExampleAPI has no method `goodbye`.
  api?.goodbye();

  // @ts-expect-error: the API may be absent, so it must be checked for null first.
  api.hello();

  return exact ? exact.hello() : null;
}
