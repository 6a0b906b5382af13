import type { Logger } from 'pino';
import type { CredentialStore } from '../sessions/credential-store';
import type { TokenKeeper } from './token-keeper';

/**
 * Ends at Dropbox the grants of sessions that lapsed without a logout (idle timeout, absolute
 * lifetime): a refresh token left valid is a key to someone's Dropbox that nobody holds any
 * more. Every instance sweeps once a minute; the store hands each lapsed grant to one sweep only.
 */

export interface SweepOptions {
  intervalMs?: number;
  /** Grants revoked per sweep at most, so a burst of lapses does not flood Dropbox. */
  perSweep?: number;
  revokeTimeoutMs?: number;
  now?: () => number;
}

export class GrantSweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private readonly options: Required<SweepOptions>;

  constructor(
    private readonly credentials: CredentialStore,
    private readonly tokens: TokenKeeper,
    private readonly logger: Logger,
    options: SweepOptions = {},
  ) {
    this.options = { intervalMs: 60_000, perSweep: 50, revokeTimeoutMs: 3000, now: Date.now, ...options };
  }

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One sweep; the number of grants revoked. One at a time per process. */
  sweep(): Promise<number> {
    this.running ??= this.sweepOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepOnce(): Promise<number> {
    let lapsed;
    try {
      lapsed = await this.credentials.takeLapsed(this.options.now(), this.options.perSweep);
    } catch (error) {
      this.logger.warn({ event: 'grant_sweep_failed', code: (error as { code?: string }).code }, 'could not look for lapsed Dropbox grants');
      return 0;
    }
    let revoked = 0;
    for (const credentials of lapsed) {
      try {
        await this.tokens.revokeLapsed(credentials, this.options.revokeTimeoutMs);
        revoked += 1;
      } catch (error) {
        // Taken out of the store already: the grant stays valid at Dropbox until the user unlinks the app.
        this.logger.warn({ event: 'lapsed_grant_not_revoked', code: (error as { code?: string }).code }, 'could not revoke a lapsed Dropbox grant');
      }
    }
    if (revoked) this.logger.info({ event: 'lapsed_grants_revoked', revoked }, 'revoked the Dropbox grants of lapsed sessions');
    return revoked;
  }
}
