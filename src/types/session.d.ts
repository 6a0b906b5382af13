import 'express-session';

/**
 * What Dropview keeps in a session. The Dropbox credentials are not here: they live beside the
 * session in the credential store (src/sessions/credential-store.ts).
 */
declare module 'express-session' {
  interface SessionData {
    /**
     * The sign-in in flight: consumed by the callback that carries its state. `returnTo` is the
     * same-origin page to land on after connecting.
     */
    oauth?: { state: string; codeVerifier: string; returnTo?: string };
    /** When the user connected (ms since epoch); set while connected. The absolute lifetime counts from here. */
    connectedAt?: number;
    /** For team accounts with a team space: the root namespace sent as Dropbox-API-Path-Root. */
    pathRoot?: string;
    /** The connected account's summary, read at connect (handlers/auth.ts) and shown by http/middleware/page-locals.ts. */
    account?: { name: string; email: string; used: number; allocated: number };
    /** csrf-sync's synchronizer token. */
    csrfToken?: string;
  }
}
