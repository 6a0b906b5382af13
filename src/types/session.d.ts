import 'express-session';
import type { StoredCredentials } from '../auth/token-keeper';

/** What Dropview keeps in a session. Tokens are sealed (encrypted) before they get here. */
declare module 'express-session' {
  interface SessionData {
    /** The authorization request in flight: consumed by the first callback, pass or fail. */
    oauth?: { state: string; codeVerifier: string };
    /** The same-origin page to land on after connecting. */
    returnTo?: string;
    credentials?: StoredCredentials;
    /** When the user connected (ms since epoch): the absolute session lifetime counts from here. */
    connectedAt?: number;
    /** csrf-sync's synchronizer token. */
    csrfToken?: string;
  }
}
