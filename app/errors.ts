/**
 * The error vocabulary. Code throws these; one handler (error-handler.ts) turns them into
 * a status code and a page or JSON. The message is shown to the user, so it says what went
 * wrong and where, without internals.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 404: the object does not exist or the path is not a valid address (bad UUID). */
export class NotFoundError extends HttpError {
  constructor(message = 'Not found') {
    super(404, message);
  }
}

/**
 * 403: the user may not do this. UI pages answer with a redirect instead (to login when
 * anonymous, else home with the message), as SODAR does, unless `showPage` is set.
 */
export class PermissionDeniedError extends HttpError {
  constructor(
    message = 'User not authorized for requested action.',
    readonly showPage = false,
    /** The text JSON answers (Ajax, REST) give, when it differs from the page's. */
    readonly jsonMessage = message,
  ) {
    super(403, message);
  }
}

/** 400: the request is malformed or a field is invalid. */
export class BadInputError extends HttpError {
  constructor(message: string) {
    super(400, message);
  }
}

/** 409: the request conflicts with the current state. */
export class ConflictError extends HttpError {
  constructor(message: string) {
    super(409, message);
  }
}

/** 429: too many attempts; `retryAfterSeconds` goes into the Retry-After header. */
export class TooManyRequestsError extends HttpError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, message);
  }
}

/** 503: a dependency (the database) cannot be reached right now. */
export class UnavailableError extends HttpError {
  constructor(message = 'The service is temporarily unavailable; please try again shortly.') {
    super(503, message);
  }
}
