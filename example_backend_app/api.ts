/** The API other apps get from `getBackendApi('example_backend_app', options)`. */
export class ExampleAPI {
  constructor(readonly options: Record<string, unknown> = {}) {}

  /** A greeting naming the arguments given to getBackendApi, as SODAR's example does. */
  hello(): string {
    return `Hello world from example_backend_app! (options: ${JSON.stringify(this.options)})`;
  }
}
