import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { apiRoutes } from './api-routes';
import type { EmulatedAccount, EmulatedApp, EmulatorContext, TeamSpace } from './context';
import { FileTree } from './file-tree';
import { FolderCursors } from './folder-cursors';
import { oauthRoutes } from './oauth-routes';
import { TokenRegistry } from './token-registry';
import { errorSummary } from './wire';

/**
 * A Dropbox stand-in that speaks the real wire contract over real HTTP: the authorize page,
 * /oauth2/token, the /2/... routes Dropview uses and the temporary-link files, all on one port.
 * Tests steer it through the methods below (token lifetime, revocation, faults, latency) and
 * read its journal of what clients sent.
 */

export type Fault =
  | { kind: 'rate_limit'; retryAfter: number; reason?: 'too_many_requests' | 'too_many_write_operations' }
  | { kind: 'rate_limit_text'; retryAfter: number }
  | { kind: 'server_error'; status?: 500 | 503 }
  | { kind: 'hang' };

export interface JournalEntry {
  /** `oauth2/token`, `oauth2/authorize` or the RPC route such as `files/list_folder`. */
  route: string;
  grantType?: string;
  /** Names of the query-string parameters: token calls should carry none (secrets stay out of URLs). */
  queryKeys: string[];
  /** The bearer token presented, so tests can tell which grant a call used. */
  bearer?: string;
  /** The Dropbox-API-Path-Root header, when sent. */
  pathRoot?: string;
  /** The PKCE verifier a code exchange carried. */
  codeVerifier?: string;
  /** The refresh token a refresh presented: one per connection, so it tells sessions apart. */
  refreshToken?: string;
  /** ms since epoch. */
  at: number;
  status?: number;
}

export interface EmulatorOptions {
  appKey?: string;
  appSecret?: string;
  redirectUris?: string[];
  autoApprove?: boolean;
  account?: Partial<EmulatedAccount>;
  /** A team account whose team space is the root namespace (see context.ts TeamSpace). */
  team?: TeamSpace;
  /**
   * Serves /__emulator/... so that another process (the benchmarks) can steer it. Never on by
   * default: it lets anyone who can reach the port expire tokens and add files.
   */
  controlApi?: boolean;
}

/** Faults that strike at random, as a busy Dropbox does. */
export interface RandomFaults {
  /** Share of API and token calls answered 500. */
  serverErrorRate: number;
  /** Share answered 429; the caller's token is then rate-limited for `retryAfter` seconds, after which it passes. */
  rateLimitRate: number;
  retryAfter: number;
}

interface ArmedFault {
  route: string;
  fault: Fault;
  remaining: number;
}

const DEFAULT_ACCOUNT: EmulatedAccount = {
  accountId: 'dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc',
  givenName: 'Dana',
  surname: 'Demo',
  email: 'dana@example.com',
};

function routeOf(req: Request): string | undefined {
  if (req.path.startsWith('/2/')) return req.path.slice(3);
  if (req.path === '/oauth2/token' || req.path === '/oauth2/authorize') return req.path.slice(1);
  return undefined;
}

export class DropboxEmulator {
  readonly tree = new FileTree();
  readonly journal: JournalEntry[] = [];
  private readonly clockOffsetMs = { value: 0 };
  private readonly context: EmulatorContext;
  private readonly faults: ArmedFault[] = [];
  private readonly latencyMs = new Map<string, number>();
  private randomFaults?: RandomFaults;
  /** Callers (by token) rate-limited by a random 429, until when (ms since epoch). */
  private readonly rateLimitedUntil = new Map<string, number>();
  private server?: Server;
  private readonly controlApi: boolean;

  constructor(options: EmulatorOptions = {}) {
    this.controlApi = options.controlApi ?? false;
    const now = () => Date.now() + this.clockOffsetMs.value;
    const app: EmulatedApp = {
      key: options.appKey ?? 'demo-app-key',
      secret: options.appSecret ?? 'demo-app-secret',
      redirectUris: options.redirectUris ?? ['http://localhost:3000/auth/dropbox/callback'],
    };
    this.context = {
      app,
      account: { ...DEFAULT_ACCOUNT, ...options.account },
      tokens: new TokenRegistry(now),
      tree: this.tree,
      cursors: new FolderCursors(),
      temporaryLinks: new Map(),
      searchCursors: new Map(),
      team: options.team,
      autoApprove: options.autoApprove ?? false,
      now,
    };
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('the emulator is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  get tokens(): TokenRegistry {
    return this.context.tokens;
  }

  get app(): EmulatedApp {
    return this.context.app;
  }

  set autoApprove(value: boolean) {
    this.context.autoApprove = value;
  }

  /** Registers another redirect URI, as an app owner does in the App Console. */
  registerRedirectUri(uri: string): void {
    if (!this.context.app.redirectUris.includes(uri)) this.context.app.redirectUris.push(uri);
  }

  /** The team's root namespace changes (the user switched team): old Path-Root values get 422. */
  switchTeamRoot(rootNamespaceId: string): void {
    if (!this.context.team) throw new Error('not a team account');
    this.context.team.rootNamespaceId = rootNamespaceId;
  }

  setAccessTokenLifetime(seconds: number): void {
    this.context.tokens.accessTokenLifetime = seconds;
  }

  expireAccessTokens(): void {
    this.context.tokens.expireAllAccessTokens();
  }

  /** What happens when the user unlinks the app in their Dropbox settings. */
  revokeAllGrants(): void {
    this.context.tokens.revokeAll();
  }

  /** Every outstanding list_folder cursor answers `reset` from now on. */
  resetCursors(): void {
    this.context.cursors.invalidateAll();
  }

  advanceClock(ms: number): void {
    this.clockOffsetMs.value += ms;
  }

  /** Delays every answer of `route` (all API and token calls when omitted) by `ms`. */
  setLatency(ms: number, route = '*'): void {
    this.latencyMs.set(route, ms);
  }

  /** The next `times` calls of `route` (`*` for any API or token call) answer with `fault`. */
  injectFault(route: string, fault: Fault, times = 1): void {
    this.faults.push({ route, fault, remaining: times });
  }

  clearFaults(): void {
    this.faults.length = 0;
    this.randomFaults = undefined;
  }

  setRandomFaults(faults: RandomFaults): void {
    this.randomFaults = faults;
  }

  calls(route: string, grantType?: string): JournalEntry[] {
    return this.journal.filter((entry) => entry.route === route && (grantType === undefined || entry.grantType === grantType));
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = this.buildApp().listen(port, host);
    await once(this.server, 'listening');
    return this.url;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    // Hung requests (the `hang` fault) would otherwise keep close() waiting forever.
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private buildApp(): express.Express {
    const app = express();
    app.disable('x-powered-by');
    // Parsed here, before faults are decided, so that token calls can be told apart by grant.
    app.use('/oauth2/token', express.urlencoded({ extended: false, limit: '16kb' }));
    app.use((req, res, next) => {
      res.setHeader('X-Dropbox-Request-Id', randomUUID().replaceAll('-', ''));
      const route = routeOf(req);
      if (!route) return next();
      this.record(route, req, res);
      const fault = this.takeFault(route) ?? this.randomFault(route, req);
      const proceed = () => (fault ? this.answerWithFault(fault, res) : next());
      const delay = this.latencyMs.get(route) ?? (route === 'oauth2/authorize' ? 0 : (this.latencyMs.get('*') ?? 0));
      if (delay > 0) setTimeout(proceed, delay);
      else proceed();
    });
    if (this.controlApi) app.use('/__emulator', this.controlRoutes());
    app.use(oauthRoutes(this.context));
    app.use(apiRoutes(this.context));
    app.use((_req, res) => void res.status(404).type('text').send('Not found'));
    app.use((err: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
      res.status(err.status ?? 500).type('text').send(err.status ? err.message : 'Internal Server Error');
    });
    return app;
  }

  /** The steering wheel for out-of-process use; mirrors the methods above. */
  private controlRoutes(): express.Router {
    const router = express.Router();
    router.use(express.json());
    router.post('/latency', (req, res) => {
      this.setLatency(Number(req.body.ms ?? 0), req.body.route ?? '*');
      res.json({ ok: true });
    });
    router.post('/expire-tokens', (_req, res) => {
      this.expireAccessTokens();
      res.json({ ok: true });
    });
    router.post('/folder', (req, res) => {
      const path = String(req.body.path);
      const count = Number(req.body.count);
      for (let n = 1; n <= count; n += 1) this.tree.addFile(`${path}/item ${n}.txt`, { content: `Item ${n}\n`, modified: new Date(Date.UTC(2025, 0, 1) + n * 60_000) });
      res.json({ ok: true, count });
    });
    router.get('/calls', (req, res) => {
      const grantType = typeof req.query.grantType === 'string' ? req.query.grantType : undefined;
      res.json({ count: this.calls(String(req.query.route), grantType).length });
    });
    return router;
  }

  private record(route: string, req: Request, res: Response): void {
    const bearer = /^Bearer (.*)$/.exec(req.get('authorization') ?? '')?.[1];
    const entry: JournalEntry = { route, queryKeys: Object.keys(req.query as object), bearer, pathRoot: req.get('dropbox-api-path-root'), at: Date.now() };
    this.journal.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
      const body = req.body && !Buffer.isBuffer(req.body) ? (req.body as Record<string, unknown>) : {};
      const field = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : (req.query[name] as string | undefined));
      entry.grantType = field('grant_type');
      entry.codeVerifier = field('code_verifier');
      entry.refreshToken = field('refresh_token');
    });
  }

  private takeFault(route: string): Fault | undefined {
    const armed = this.faults.find((candidate) => candidate.route === route || (candidate.route === '*' && route !== 'oauth2/authorize'));
    if (!armed) return undefined;
    armed.remaining -= 1;
    if (armed.remaining <= 0) this.faults.splice(this.faults.indexOf(armed), 1);
    return armed.fault;
  }

  private randomFault(route: string, req: Request): Fault | undefined {
    const faults = this.randomFaults;
    if (!faults || route === 'oauth2/authorize') return undefined;
    // Dropbox limits each linked user, not the app: token calls count against their grant.
    const form = (req.body ?? {}) as Record<string, unknown>;
    const grant = route === 'oauth2/token' ? String(form.refresh_token ?? form.code ?? req.query.refresh_token ?? '') : '';
    const caller = grant || req.get('authorization') || req.ip || '';
    const limitedUntil = this.rateLimitedUntil.get(caller);
    const now = Date.now();
    if (limitedUntil !== undefined) {
      if (now < limitedUntil) return { kind: 'rate_limit', retryAfter: Math.ceil((limitedUntil - now) / 1000) };
      // The first call after the wait goes through: that is what Retry-After promises.
      this.rateLimitedUntil.delete(caller);
      return undefined;
    }
    const roll = Math.random();
    if (roll < faults.serverErrorRate) return { kind: 'server_error', status: 500 };
    if (roll < faults.serverErrorRate + faults.rateLimitRate) {
      this.rateLimitedUntil.set(caller, now + faults.retryAfter * 1000);
      return { kind: 'rate_limit', retryAfter: faults.retryAfter };
    }
    return undefined;
  }

  private answerWithFault(fault: Fault, res: Response): void {
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
        res.status(fault.status ?? 500).type('text').end('Internal Server Error');
        return;
      case 'hang':
        return;
    }
  }
}
