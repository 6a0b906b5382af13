/** The session store (Redis, or the embedded store) did not answer, or not in time. */
export class SessionStoreError extends Error {
  override name = 'SessionStoreError';

  constructor(cause: unknown) {
    super('the session store is unavailable', { cause });
  }
}
