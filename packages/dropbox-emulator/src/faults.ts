import type { Response } from 'express';
import type { EmulatedAccount } from './accounts';
import { errorSummary } from './wire';

/**
 * Injected trouble: faults armed for the next N calls of a route, and faults that strike at
 * random as a busy Dropbox does. A random 429 rate-limits the caller's grant within its
 * account (Dropbox limits per access token, that is per user who linked the app) until its
 * Retry-After has passed; the first call after that goes through.
 */

export type Fault =
  | { kind: 'rate_limit'; retryAfter: number; reason?: 'too_many_requests' | 'too_many_write_operations' }
  | { kind: 'rate_limit_text'; retryAfter: number }
  | { kind: 'server_error'; status?: 500 | 503 }
  | { kind: 'hang' }
  /** The route's own 409 with a tag that takes no value, e.g. get_preview's `in_progress` or download_zip's `too_large`. */
  | { kind: 'route_error'; tag: string };

/** Faults that strike at random. */
export interface RandomFaults {
  /** Share of API and token calls answered 500. */
  serverErrorRate: number;
  /** Share answered 429; the caller's grant is then rate-limited for `retryAfter` seconds, after which it passes. */
  rateLimitRate: number;
  retryAfter: number;
}

/** Who a call is for: the account (when known) and the grant within it (token family, code or token). */
export interface CallerGrant {
  account?: EmulatedAccount;
  grant: string;
}

interface ArmedFault {
  route: string;
  fault: Fault;
  remaining: number;
}

/** Armed faults are few and consumed; this only stops a test that arms in a loop from growing without end. */
const MAX_ARMED = 1000;

export class FaultPlan {
  private readonly armed: ArmedFault[] = [];
  private random?: RandomFaults;

  /** The next `times` calls of `route` (`*` for any API or token call) answer with `fault`. */
  inject(route: string, fault: Fault, times = 1): void {
    if (this.armed.length >= MAX_ARMED) throw new Error(`at most ${MAX_ARMED} faults can be armed at once`);
    this.armed.push({ route, fault, remaining: times });
  }

  setRandom(faults: RandomFaults): void {
    this.random = faults;
  }

  clear(): void {
    this.armed.length = 0;
    this.random = undefined;
  }

  /** The fault this call of `route` meets, if any (armed ones first). */
  take(route: string, caller: () => CallerGrant): Fault | undefined {
    return this.takeArmed(route) ?? (this.random && route !== 'oauth2/authorize' ? this.roll(this.random, caller()) : undefined);
  }

  private takeArmed(route: string): Fault | undefined {
    const armed = this.armed.find((candidate) => candidate.route === route || (candidate.route === '*' && route !== 'oauth2/authorize'));
    if (!armed) return undefined;
    armed.remaining -= 1;
    if (armed.remaining <= 0) this.armed.splice(this.armed.indexOf(armed), 1);
    return armed.fault;
  }

  private roll(faults: RandomFaults, { account, grant }: CallerGrant): Fault | undefined {
    const windows = account?.rateLimitedUntil;
    const now = Date.now();
    const limitedUntil = windows?.get(grant);
    if (windows && limitedUntil !== undefined) {
      if (now < limitedUntil) return { kind: 'rate_limit', retryAfter: Math.ceil((limitedUntil - now) / 1000) };
      // The first call after the wait goes through: that is what Retry-After promises.
      windows.delete(grant);
      return undefined;
    }
    const roll = Math.random();
    if (roll < faults.serverErrorRate) return { kind: 'server_error', status: 500 };
    if (roll < faults.serverErrorRate + faults.rateLimitRate) {
      windows?.set(grant, now + faults.retryAfter * 1000);
      return { kind: 'rate_limit', retryAfter: faults.retryAfter };
    }
    return undefined;
  }
}

export function answerWithFault(fault: Fault, res: Response): void {
  switch (fault.kind) {
    case 'rate_limit': {
      const reason = fault.reason ?? 'too_many_requests';
      res.status(429).setHeader('Retry-After', String(fault.retryAfter));
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ error_summary: errorSummary([reason]), error: { reason: { '.tag': reason }, retry_after: fault.retryAfter } }));
      return;
    }
    case 'rate_limit_text':
      res.status(429).setHeader('Retry-After', String(fault.retryAfter));
      res.type('text').end('Too many requests');
      return;
    case 'server_error':
      res
        .status(fault.status ?? 500)
        .type('text')
        .end('Internal Server Error');
      return;
    case 'hang':
      return;
    case 'route_error':
      res.status(409).setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ error_summary: errorSummary([fault.tag]), error: { '.tag': fault.tag } }));
      return;
  }
}
