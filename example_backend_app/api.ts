/**
 * The example's section of PLUGIN_CONFIG. `{"example_backend_app": {"showGreeting": true}}`
 * shows its greeting card on the home page: a demo site's, never real users' (off by default).
 */
export interface ExampleSettings {
  showGreeting: boolean;
}

/** Reads the config section; a wrong type stops start-up with the field named. */
export function exampleSettings(config: Record<string, unknown>): ExampleSettings {
  const showGreeting = config.showGreeting ?? false;
  if (typeof showGreeting !== 'boolean') {
    throw new Error(`PLUGIN_CONFIG "example_backend_app.showGreeting" must be true or false (got ${JSON.stringify(showGreeting)})`);
  }
  return { showGreeting };
}

/** The API other apps get from `getBackendApi('example_backend_app', options)`. */
export class ExampleAPI {
  constructor(
    readonly options: Record<string, unknown> = {},
    private readonly settings: ExampleSettings = { showGreeting: false },
  ) {}

  /** A greeting naming the arguments given to getBackendApi, as SODAR's example does. */
  hello(): string {
    return `Hello world from example_backend_app! (options: ${JSON.stringify(this.options)})`;
  }

  /** The greeting for the home page card, or null unless the site turned it on (showGreeting). */
  homeGreeting(): string | null {
    return this.settings.showGreeting ? this.hello() : null;
  }
}
