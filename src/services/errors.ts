/**
 * An error a person can act on: shown to them as it is, with an HTTP status. Anything else is a
 * bug, logged and shown as a generic 500.
 */
export class UserError extends Error {
  constructor(readonly status: 400 | 401 | 403 | 404 | 409 | 410 | 413 | 422 | 429 | 503, message: string, readonly retryAfterSeconds?: number) {
    super(message);
  }
}
