import express, { type Request, type Response, type Router } from 'express';
import type { AccountSpec, EmulatedAccount } from './accounts';
import type { Fault } from './faults';
import type { EntryTruth, GenerateFolderSpec, GeneratedFolder } from './folder-generator';
import type { FileSpec } from './tree/nodes';

/**
 * /__emulator/...: the steering wheel for another process (the benchmarks), mirroring the
 * DropboxEmulator methods. Only served with `controlApi: true` (EMULATOR_CONTROL=1): it lets
 * anyone who can reach the port add accounts, change files and expire tokens.
 *
 * Bodies are JSON; every answer is JSON; a bad request is 400 `{"error": "<what is wrong>"}`.
 * `accountId` is optional wherever it appears and means the default account.
 */

/** What the control API needs of the emulator (DropboxEmulator has it). */
export interface Steering {
  setLatency(ms: number, route?: string): void;
  setLatencyPerEntry(ms: number): void;
  expireAccessTokens(): void;
  injectFault(route: string, fault: Fault, times?: number): void;
  account(accountId?: string): EmulatedAccount;
  addAccount(spec: AccountSpec): EmulatedAccount;
  signInAs(accountId: string): EmulatedAccount;
  generateFolder(spec: GenerateFolderSpec, accountId?: string): GeneratedFolder;
  groundTruth(path: string, accountId?: string): EntryTruth[];
  calls(route: string, grantType?: string): unknown[];
}

type Body = Record<string, unknown>;

const optionalString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** A date from an ISO-8601 string or ms since epoch; undefined when absent. */
function dateFrom(value: unknown): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value as string | number);
  if (typeof value !== 'string' && typeof value !== 'number') throw new Error('modified must be an ISO-8601 date or ms since epoch');
  if (Number.isNaN(date.getTime())) throw new Error(`modified is not a date: ${JSON.stringify(value)}`);
  return date;
}

function fileSpecFrom(body: Body): FileSpec {
  const modified = dateFrom(body.modified);
  if (typeof body.content === 'string') return { content: body.content, modified };
  if (typeof body.size === 'number') return { size: body.size, modified };
  throw new Error('a file needs "content" (a string) or "size" (bytes)');
}

/** Runs a steering action; its Error becomes a 400. */
function act(handler: (body: Body, req: Request) => unknown) {
  return (req: Request, res: Response) => {
    try {
      res.json(handler((req.body ?? {}) as Body, req) ?? { ok: true });
    } catch (error) {
      res.status(400).json({ error: (error as Error).message });
    }
  };
}

export function controlRoutes(emulator: Steering): Router {
  const router = express.Router();
  router.use(express.json({ limit: '10mb' }));

  /** `{ms?, route?, perEntryMs?}`: per-call latency (all routes, or one) and the cost per entry returned. */
  router.post(
    '/latency',
    act((body) => {
      if (body.ms !== undefined || body.perEntryMs === undefined) emulator.setLatency(Number(body.ms ?? 0), optionalString(body.route) ?? '*');
      if (body.perEntryMs !== undefined) emulator.setLatencyPerEntry(Number(body.perEntryMs));
      return { ok: true };
    }),
  );

  /**
   * `{route, fault, times?}`: the next `times` (1) calls of `route` answer with `fault`, e.g.
   * `{"route": "files/get_preview", "fault": {"kind": "route_error", "tag": "in_progress"}}`
   * or `{"route": "files/download_zip", "fault": {"kind": "route_error", "tag": "too_large"}}`.
   */
  router.post(
    '/faults',
    act((body) => {
      const fault = body.fault as Fault | undefined;
      const kinds = ['rate_limit', 'rate_limit_text', 'server_error', 'hang', 'route_error'];
      if (typeof body.route !== 'string' || !fault || !kinds.includes(fault.kind)) throw new Error(`a fault needs "route" and "fault": {"kind": ${kinds.join(' | ')}}`);
      if (fault.kind === 'route_error' && (typeof fault.tag !== 'string' || !/^[a-z_]+$/.test(fault.tag))) throw new Error('a route_error fault needs "tag", e.g. "in_progress"');
      const times = body.times === undefined ? 1 : Number(body.times);
      if (!Number.isInteger(times) || times < 1 || times > 1000) throw new Error('times must be a whole number from 1 to 1,000');
      emulator.injectFault(body.route, fault, times);
      return { ok: true };
    }),
  );

  router.post(
    '/expire-tokens',
    act(() => emulator.expireAccessTokens()),
  );

  /** `{path, count}`: `item 1.txt` ... `item <count>.txt` with small contents (the benchmarks' plain folders). */
  router.post(
    '/folder',
    act((body) => {
      const path = String(body.path);
      const count = Number(body.count);
      if (!Number.isInteger(count) || count < 1 || count > 1_000_000) throw new Error('count must be a whole number from 1 to 1,000,000');
      const { tree } = emulator.account(optionalString(body.accountId));
      for (let n = 1; n <= count; n += 1) tree.addFile(`${path}/item ${n}.txt`, { content: `Item ${n}\n`, modified: new Date(Date.UTC(2025, 0, 1) + n * 60_000) });
      return { ok: true, count };
    }),
  );

  /** `{path, content | size, modified?, accountId?}`: adds the file, or modifies it (same id, new rev) when it exists. */
  router.post(
    '/files',
    act((body) => {
      const file = emulator.account(optionalString(body.accountId)).tree.addFile(String(body.path), fileSpecFrom(body));
      return { id: file.id, path: file.pathDisplay, rev: file.rev, size: file.size, modified: file.serverModified };
    }),
  );

  /** `{path, accountId?}`: deletes a file, or a folder with all it holds. */
  router.post(
    '/delete',
    act((body) => ({ deleted: emulator.account(optionalString(body.accountId)).tree.remove(String(body.path)) })),
  );

  /** `{accountId?, givenName, surname, email, team?: {rootNamespaceId, homePath}}`. */
  router.post(
    '/accounts',
    act((body) => {
      const account = emulator.addAccount(body as unknown as AccountSpec);
      return { accountId: account.accountId, homeNamespaceId: account.homeNamespaceId };
    }),
  );

  /** `{accountId}`: the account the authorize page approves as from now on. */
  router.post(
    '/sign-in',
    act((body) => ({ accountId: emulator.signInAs(String(body.accountId)).accountId })),
  );

  /** `{path, count, kind: "photos" | "files", seed?, accountId?}`: a big folder of virtual files (folder-generator.ts). */
  router.post(
    '/generate',
    act((body) => emulator.generateFolder(body as unknown as GenerateFolderSpec, optionalString(body.accountId))),
  );

  /** `?path=&accountId=`: `{path, entries: [{name, kind, size?, modified?}]}`, every entry, in listing order. */
  router.get(
    '/entries',
    act((_body, req) => {
      const path = typeof req.query.path === 'string' ? req.query.path : '';
      return { path, entries: emulator.groundTruth(path, optionalString(req.query.accountId)) };
    }),
  );

  /** `?route=&grantType=`: `{count}` of the calls the journal still holds. */
  router.get(
    '/calls',
    act((_body, req) => {
      const grantType = optionalString(req.query.grantType);
      return { count: emulator.calls(optionalString(req.query.route) ?? '', grantType).length };
    }),
  );
  return router;
}
