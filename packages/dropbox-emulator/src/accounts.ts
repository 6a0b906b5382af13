import { BoundedMap } from './bounded';
import { ACCOUNT_ID_PATTERN, newAccountId } from './ids';
import { FileTree, type FileTreeOptions } from './tree/file-tree';

/**
 * The Dropbox accounts the emulator serves, each with its own files. Tokens, codes, cursors,
 * temporary links, search cursors and rate-limit windows all carry the account they were made
 * for, and one account's never work for another.
 */

/**
 * A team account with a team space: its root namespace holds team folders and, at `homePath`,
 * the member's own folder, which is all a caller sees without Dropbox-API-Path-Root.
 */
export interface TeamSpace {
  rootNamespaceId: string;
  homePath: string;
}

export interface AccountSpec {
  /** `dbid:` and 35 characters (40 in all); made up when left out. */
  accountId?: string;
  givenName: string;
  surname: string;
  email: string;
  team?: TeamSpace;
}

/** Rate-limit windows kept per account: at most this many grants each (oldest forgotten first). */
export const MAX_RATE_LIMITED_GRANTS = 1000;

export class EmulatedAccount {
  readonly accountId: string;
  givenName: string;
  surname: string;
  email: string;
  team?: TeamSpace;
  readonly tree: FileTree;
  /** The account's own (home) namespace. */
  readonly homeNamespaceId: string;
  /** Grants (token families) of this account rate-limited by a random 429, until when (ms since epoch). */
  readonly rateLimitedUntil = new BoundedMap<string, number>(MAX_RATE_LIMITED_GRANTS);

  constructor(spec: Required<Pick<AccountSpec, 'accountId'>> & AccountSpec, homeNamespaceId: string, treeOptions: FileTreeOptions) {
    this.accountId = spec.accountId;
    this.givenName = spec.givenName;
    this.surname = spec.surname;
    this.email = spec.email;
    this.team = spec.team ? { ...spec.team } : undefined;
    this.homeNamespaceId = homeNamespaceId;
    this.tree = new FileTree(treeOptions);
  }

  /** The namespace that `""` means with Dropbox-API-Path-Root `root`: the team space, or home. */
  get rootNamespaceId(): string {
    return this.team?.rootNamespaceId ?? this.homeNamespaceId;
  }

  /** Where the home namespace sits in the tree: the member folder of a team space, else the root. */
  get homePrefix(): string {
    return this.team?.homePath ?? '';
  }

  /** The team's root namespace changes (the user switched team): old Path-Root values get 422. */
  switchTeamRoot(rootNamespaceId: string): void {
    if (!this.team) throw new Error('not a team account');
    this.team.rootNamespaceId = rootNamespaceId;
  }
}

export const DEFAULT_ACCOUNT: Required<Pick<AccountSpec, 'accountId'>> & AccountSpec = {
  accountId: 'dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc',
  givenName: 'Dana',
  surname: 'Demo',
  email: 'dana@example.com',
};

/** The first account's home namespace id; later accounts count up from it. */
const FIRST_NAMESPACE_ID = 3235641;
/** Accounts are added by tests and the control API, never by clients; this only stops a runaway loop. */
export const MAX_ACCOUNTS = 1000;

export class AccountRegistry {
  private readonly accounts = new Map<string, EmulatedAccount>();
  readonly defaultAccount: EmulatedAccount;
  /** The account "signed in" in the browser: the one the authorize page approves as. */
  private signedIn: EmulatedAccount;

  constructor(
    defaultSpec: Partial<AccountSpec>,
    private readonly treeOptions: FileTreeOptions,
  ) {
    this.defaultAccount = this.add({ ...DEFAULT_ACCOUNT, ...defaultSpec });
    this.signedIn = this.defaultAccount;
  }

  add(spec: AccountSpec): EmulatedAccount {
    const accountId = spec.accountId ?? newAccountId();
    if (!ACCOUNT_ID_PATTERN.test(accountId)) throw new Error(`an account id is "dbid:" and 35 letters, digits, "-" or "_" (40 characters), got "${accountId}"`);
    if (this.accounts.has(accountId)) throw new Error(`account ${accountId} exists already`);
    if (this.accounts.size >= MAX_ACCOUNTS) throw new Error(`the emulator holds at most ${MAX_ACCOUNTS} accounts`);
    for (const field of ['givenName', 'surname', 'email'] as const) if (typeof spec[field] !== 'string' || !spec[field]) throw new Error(`an account needs a ${field}`);
    const account = new EmulatedAccount({ ...spec, accountId }, String(FIRST_NAMESPACE_ID + this.accounts.size), this.treeOptions);
    this.accounts.set(accountId, account);
    return account;
  }

  get(accountId: string): EmulatedAccount | undefined {
    return this.accounts.get(accountId);
  }

  /** The account, or an error naming the unknown id. */
  require(accountId: string): EmulatedAccount {
    const account = this.accounts.get(accountId);
    if (!account) throw new Error(`no account ${accountId}`);
    return account;
  }

  all(): EmulatedAccount[] {
    return [...this.accounts.values()];
  }

  get signedInAccount(): EmulatedAccount {
    return this.signedIn;
  }

  signInAs(accountId: string): EmulatedAccount {
    this.signedIn = this.require(accountId);
    return this.signedIn;
  }
}
