/**
 * Why a session cannot reach Dropbox, in the token keeper's terms. What a person reads about
 * each is decided by the HTTP layer (src/http/error-table.ts).
 */

export type ConnectionProblem =
  /** The session never connected Dropbox. */
  | 'not_connected'
  /** Dropbox refuses the grant (the user disconnected the app in their Dropbox settings). */
  | 'revoked'
  /** The stored tokens do not open: the server's keys changed. */
  | 'unreadable'
  /** The connection ended meanwhile (a logout, elsewhere). */
  | 'ended'
  /** Another instance is renewing the token and did not finish in time. */
  | 'refresh_busy';

export class ConnectionError extends Error {
  override name = 'ConnectionError';

  constructor(readonly problem: ConnectionProblem) {
    super(`Dropbox connection: ${problem}`);
  }
}

export function isConnectionError(error: unknown, ...problems: ConnectionProblem[]): error is ConnectionError {
  return error instanceof ConnectionError && (problems.length === 0 || problems.includes(error.problem));
}
