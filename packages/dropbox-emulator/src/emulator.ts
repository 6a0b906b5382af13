import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccountRegistry, type AccountSpec, type EmulatedAccount, type TeamSpace } from './accounts';
import { BoundedMap } from './bounded';
import { CallJournal, type JournalEntry } from './call-journal';
import type { EmulatedApp, EmulatorContext, SearchRest, TemporaryLink } from './context';
import { controlRoutes, type Steering } from './control-api';
import { FaultPlan, type Fault, type RandomFaults } from './faults';
import { generateFolder, groundTruthOf, type EntryTruth, type GenerateFolderSpec, type GeneratedFolder } from './folder-generator';
import { buildHttpApp } from './http-app';
import { LatencyModel } from './latency';
import { FolderCursors } from './listing/folder-cursors';
import { TokenRegistry } from './token-registry';
import type { FileTree } from './tree/file-tree';

/**
 * A Dropbox stand-in that speaks the real wire contract over real HTTP: the authorize page,
 * /oauth2/token, the /2/... routes and the temporary-link files, all on one port. Tests steer
 * it through the methods below (accounts and their files, token lifetime, revocation, faults,
 * latency) and read its journal of what clients sent. README.md has the whole reference.
 */

export interface EmulatorOptions {
  appKey?: string;
  appSecret?: string;
  redirectUris?: string[];
  autoApprove?: boolean;
  /** The default account's name, email or id (Dana Demo, dana@example.com otherwise). */
  account?: Partial<AccountSpec>;
  /** Makes the default account a team member whose team space is the root namespace. */
  team?: TeamSpace;
  /**
   * Serves /__emulator/... so that another process (the benchmarks) can steer it. Never on by
   * default: it lets anyone who can reach the port expire tokens and add files.
   */
  controlApi?: boolean;
  /** Calls the journal holds (default 10,000). */
  journalSize?: number;
  /** Changes each account's change journal holds (default 100,000). */
  changeJournalSize?: number;
}

/** Temporary links and search cursors kept at most; the oldest are forgotten first. */
export const MAX_TEMPORARY_LINKS = 10_000;
export const MAX_SEARCH_CURSORS = 1000;

export class DropboxEmulator implements Steering {
  readonly journal: CallJournal;
  private readonly clockOffsetMs = { value: 0 };
  private readonly context: EmulatorContext;
  private readonly faults = new FaultPlan();
  private server?: Server;
  private readonly controlApi: boolean;

  constructor(options: EmulatorOptions = {}) {
    this.controlApi = options.controlApi ?? false;
    this.journal = new CallJournal(options.journalSize);
    const now = () => Date.now() + this.clockOffsetMs.value;
    const app: EmulatedApp = {
      key: options.appKey ?? 'demo-app-key',
      secret: options.appSecret ?? 'demo-app-secret',
      redirectUris: options.redirectUris ?? ['http://localhost:3000/auth/dropbox/callback'],
    };
    const accounts = new AccountRegistry({ ...options.account, team: options.team ?? options.account?.team }, { changeJournalSize: options.changeJournalSize, now });
    this.context = {
      app,
      accounts,
      tokens: new TokenRegistry(now),
      cursors: new FolderCursors((accountId) => accounts.get(accountId)?.tree),
      temporaryLinks: new BoundedMap<string, TemporaryLink>(MAX_TEMPORARY_LINKS),
      searchCursors: new BoundedMap<string, SearchRest>(MAX_SEARCH_CURSORS),
      latency: new LatencyModel(),
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

  /** The emulator's clock, ms since epoch (moved by advanceClock). */
  now(): number {
    return this.context.now();
  }

  // ---- accounts and their files -------------------------------------------------------

  /** The default account's files (the account that exists from the start). */
  get tree(): FileTree {
    return this.context.accounts.defaultAccount.tree;
  }

  get defaultAccount(): EmulatedAccount {
    return this.context.accounts.defaultAccount;
  }

  /** An account by id; the default account without one. */
  account(accountId?: string): EmulatedAccount {
    return accountId === undefined ? this.context.accounts.defaultAccount : this.context.accounts.require(accountId);
  }

  get accounts(): EmulatedAccount[] {
    return this.context.accounts.all();
  }

  /** Another Dropbox account with its own, empty, Dropbox. The id is made up when not given. */
  addAccount(spec: AccountSpec): EmulatedAccount {
    return this.context.accounts.add(spec);
  }

  /** The account "signed in" in the browser: the authorize page approves as this one from now on. */
  signInAs(accountId: string): EmulatedAccount {
    return this.context.accounts.signInAs(accountId);
  }

  get signedInAccount(): EmulatedAccount {
    return this.context.accounts.signedInAccount;
  }

  /** A big folder of virtual files, reproducible by its seed (folder-generator.ts). */
  generateFolder(spec: GenerateFolderSpec, accountId?: string): GeneratedFolder {
    return generateFolder(this.account(accountId).tree, spec);
  }

  /** A phone's camera uploads: `count` photos named IMG_<date>_<time>.jpg, in shuffled order. */
  addPhotos(path: string, count: number, seed = 1, accountId?: string): GeneratedFolder {
    return this.generateFolder({ path, count, kind: 'photos', seed }, accountId);
  }

  /** Each entry of a folder as Dropbox reports it (name, kind, size, server_modified), in listing order. */
  groundTruth(path: string, accountId?: string): EntryTruth[] {
    return groundTruthOf(this.account(accountId).tree, path);
  }

  // ---- the app and its grants ------------------------------------------------------------

  /** Registers another redirect URI, as an app owner does in the App Console. */
  registerRedirectUri(uri: string): void {
    if (!this.context.app.redirectUris.includes(uri)) this.context.app.redirectUris.push(uri);
  }

  /** The default account's team root namespace changes (the user switched team): old Path-Root values get 422. */
  switchTeamRoot(rootNamespaceId: string): void {
    this.context.accounts.defaultAccount.switchTeamRoot(rootNamespaceId);
  }

  setAccessTokenLifetime(seconds: number): void {
    this.context.tokens.accessTokenLifetime = seconds;
  }

  expireAccessTokens(): void {
    this.context.tokens.expireAllAccessTokens();
  }

  /** What happens when a user unlinks the app in their Dropbox settings: that account's grants (every account's without an id) stop working. */
  revokeAllGrants(accountId?: string): void {
    this.context.tokens.revokeAll(accountId);
  }

  /** Every outstanding list_folder cursor answers `reset` from now on. */
  resetCursors(): void {
    this.context.cursors.invalidateAll();
  }

  advanceClock(ms: number): void {
    this.clockOffsetMs.value += ms;
  }

  // ---- latency and faults ----------------------------------------------------------------

  /** Delays every answer of `route` (all API and token calls when omitted) by `ms`. */
  setLatency(ms: number, route = '*'): void {
    this.context.latency.set(ms, route);
  }

  /** Adds `ms` per entry returned by list_folder, list_folder/continue and search (0.1 = 200 ms more for 2,000 entries). */
  setLatencyPerEntry(ms: number): void {
    this.context.latency.setPerEntry(ms);
  }

  /** The next `times` calls of `route` (`*` for any API or token call) answer with `fault`. */
  injectFault(route: string, fault: Fault, times = 1): void {
    this.faults.inject(route, fault, times);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  setRandomFaults(faults: RandomFaults): void {
    this.faults.setRandom(faults);
  }

  /** The calls of `route` (and grant type) the journal still holds, oldest first. */
  calls(route: string, grantType?: string): JournalEntry[] {
    return this.journal.filter((entry) => entry.route === route && (grantType === undefined || entry.grantType === grantType));
  }

  /**
   * Resolves with the next call of `route` the emulator receives from now on (recorded when the
   * request arrives, so a longpoll resolves this while it is still held).
   */
  nextCall(route: string, timeoutMs = 5000): Promise<JournalEntry> {
    return this.journal.next((entry) => entry.route === route, timeoutMs, `${route} call`);
  }

  // ---- serving ---------------------------------------------------------------------------

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    const app = buildHttpApp(this.context, { journal: this.journal, faults: this.faults, control: this.controlApi ? controlRoutes(this) : undefined });
    this.server = app.listen(port, host);
    // Clients keep connections open between calls (Dropbox's edge holds them about a minute).
    // Node's 5 s default closes an idle connection just as a client reuses it on a busy
    // machine, and that client sees ECONNRESET.
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 66_000;
    await once(this.server, 'listening');
    return this.url;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    // Hung requests (the `hang` fault) and longpolls would otherwise keep close() waiting.
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
