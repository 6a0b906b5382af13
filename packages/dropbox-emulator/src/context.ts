import type { AccountRegistry } from './accounts';
import type { BoundedMap } from './bounded';
import type { LatencyModel } from './latency';
import type { FolderCursors } from './listing/folder-cursors';
import type { TokenRegistry } from './token-registry';
import type { TreeNode } from './tree/nodes';

/** What the emulator's route modules share: the registered app, the accounts and their grants. */

export interface EmulatedApp {
  key: string;
  secret: string;
  redirectUris: string[];
}

/** A files/get_temporary_link link: serves one account's file for 4 hours. */
export interface TemporaryLink {
  accountId: string;
  fileId: string;
  path: string;
  expiresAt: number;
}

/** files/search_v2 matches not yet returned, for the account that searched. */
export interface SearchRest {
  accountId: string;
  prefix: string;
  matches: TreeNode[];
}

export interface EmulatorContext {
  app: EmulatedApp;
  accounts: AccountRegistry;
  tokens: TokenRegistry;
  cursors: FolderCursors;
  temporaryLinks: BoundedMap<string, TemporaryLink>;
  searchCursors: BoundedMap<string, SearchRest>;
  latency: LatencyModel;
  /** When true, /oauth2/authorize approves at once instead of showing Allow and Deny. */
  autoApprove: boolean;
  /** The emulator's clock (tests move it to expire tokens and links). */
  now(): number;
}
