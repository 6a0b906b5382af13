import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { CallJournal, JournalEntry } from './call-journal';
import type { EmulatorContext } from './context';
import { answerWithFault, type CallerGrant, type FaultPlan } from './faults';
import { after } from './latency';
import { authorizeRoutes } from './routes/oauth-authorize';
import { tokenRoutes } from './routes/oauth-token';
import { contentRoutes } from './routes/files-content';
import { rpcRoutes } from './routes/rpc';
import { temporaryFileRoutes } from './routes/temporary-files';

/**
 * The emulator's HTTP app, on one port for all of Dropbox's hosts. Every token, authorize and
 * /2/ call is journaled, may meet an injected fault, and waits its latency before the route
 * answers; every response carries an X-Dropbox-Request-Id.
 */

export interface HttpAppParts {
  journal: CallJournal;
  faults: FaultPlan;
  /** /__emulator/..., only when the control API is on. */
  control?: Router;
}

/** The journal's name for a request: `oauth2/token`, `oauth2/authorize`, or the RPC route; undefined for anything else. */
function routeOf(req: Request): string | undefined {
  if (req.path.startsWith('/2/')) return req.path.slice(3);
  if (req.path === '/oauth2/token' || req.path === '/oauth2/authorize') return req.path.slice(1);
  return undefined;
}

function bearerOf(req: Request): string | undefined {
  return /^Bearer (.*)$/.exec(req.get('authorization') ?? '')?.[1];
}

/** A token call's parameter, from the form body or the query string (where the JS SDK puts them). */
function tokenParam(req: Request, name: string): string | undefined {
  const body = req.body && !Buffer.isBuffer(req.body) ? (req.body as Record<string, unknown>) : {};
  const value = body[name] ?? req.query[name];
  return typeof value === 'string' ? value : undefined;
}

/** Who a call is for, as far as the grants tell: its account and grant (token family, refresh token or code). */
function callerGrantOf(ctx: EmulatorContext, route: string, req: Request): CallerGrant {
  if (route === 'oauth2/token') {
    const refreshToken = tokenParam(req, 'refresh_token');
    const code = tokenParam(req, 'code');
    const accountId = ctx.tokens.accountOf({ refreshToken, code });
    return { account: accountId ? ctx.accounts.get(accountId) : undefined, grant: refreshToken ?? code ?? req.ip ?? '' };
  }
  const bearer = bearerOf(req);
  const accountId = bearer ? ctx.tokens.accountOf({ accessToken: bearer }) : undefined;
  return { account: accountId ? ctx.accounts.get(accountId) : undefined, grant: bearer ? ctx.tokens.familyOf(bearer) : (req.ip ?? '') };
}

function record(ctx: EmulatorContext, journal: CallJournal, route: string, req: Request, res: Response): void {
  const bearer = bearerOf(req);
  const entry: JournalEntry = { route, queryKeys: Object.keys(req.query), bearer, pathRoot: req.get('dropbox-api-path-root'), at: Date.now() };
  // Read now: a code is gone once redeemed.
  entry.accountId = callerGrantOf(ctx, route, req).account?.accountId;
  journal.record(entry);
  res.on('close', () => {
    entry.cutOff = !res.writableFinished;
    entry.bytesSent = req.socket.bytesWritten;
  });
  res.on('finish', () => {
    entry.status = res.statusCode;
    entry.grantType = tokenParam(req, 'grant_type');
    entry.codeVerifier = tokenParam(req, 'code_verifier');
    entry.refreshToken = tokenParam(req, 'refresh_token');
  });
}

export function buildHttpApp(ctx: EmulatorContext, parts: HttpAppParts): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Parsed here, before faults are decided, so that token calls can be told apart by grant.
  app.use('/oauth2/token', express.urlencoded({ extended: false, limit: '16kb' }));
  app.use((req, res, next) => {
    res.setHeader('X-Dropbox-Request-Id', randomUUID().replaceAll('-', ''));
    const route = routeOf(req);
    if (!route) return next();
    record(ctx, parts.journal, route, req, res);
    const fault = parts.faults.take(route, () => callerGrantOf(ctx, route, req));
    after(ctx.latency.forCall(route), () => (fault ? answerWithFault(fault, res) : next()));
  });
  if (parts.control) app.use('/__emulator', parts.control);
  app.use(authorizeRoutes(ctx));
  app.use(tokenRoutes(ctx));
  // Before the RPC table, which would call these unknown functions.
  app.use(contentRoutes(ctx));
  app.use(rpcRoutes(ctx));
  app.use(temporaryFileRoutes(ctx));
  app.use((_req, res) => void res.status(404).type('text').send('Not found'));
  app.use((err: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    res
      .status(err.status ?? 500)
      .type('text')
      .send(err.status ? err.message : 'Internal Server Error');
  });
  return app;
}
