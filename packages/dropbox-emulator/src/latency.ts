/**
 * The latency model: a delay per call (for every API and token call, or per route), plus a
 * cost per entry returned by list_folder, list_folder/continue and search, so that
 * "150 ms per call plus 0.1 ms per entry" (a 2,000-entry page: 350 ms) can be played.
 * The per-call delay is waited before the route runs, the per-entry cost before the answer is
 * written, once the entries are known.
 */

const ALL_ROUTES = '*';

export class LatencyModel {
  private readonly perCallMs = new Map<string, number>();
  private perEntry = 0;

  /** Delays every answer of `route` (all API and token calls when omitted) by `ms`. */
  set(ms: number, route = ALL_ROUTES): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error('latency must be a number of milliseconds, 0 or more');
    this.perCallMs.set(route, ms);
  }

  /** Adds `ms` per entry returned by list_folder, list_folder/continue and search. */
  setPerEntry(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error('latency per entry must be a number of milliseconds, 0 or more');
    this.perEntry = ms;
  }

  get perEntryMs(): number {
    return this.perEntry;
  }

  /** The per-call delay of `route`: its own, else the one for all routes (never for the authorize page, a person's page). */
  forCall(route: string): number {
    return this.perCallMs.get(route) ?? (route === 'oauth2/authorize' ? 0 : (this.perCallMs.get(ALL_ROUTES) ?? 0));
  }

  forEntries(count: number): number {
    return this.perEntry * count;
  }
}

/** Runs `then` after `ms` (at once, without a timer, when there is nothing to wait). */
export function after(ms: number, then: () => void): void {
  if (ms > 0) setTimeout(then, ms);
  else then();
}
