import type { FileTree, TreeNode } from './file-tree';
import type { TokenRegistry } from './token-registry';
import type { FolderCursors } from './folder-cursors';

/** What the emulator's route modules share: the registered app, the account and its files. */

export interface EmulatedApp {
  key: string;
  secret: string;
  redirectUris: string[];
}

export interface EmulatedAccount {
  accountId: string;
  givenName: string;
  surname: string;
  email: string;
}

/**
 * A team account with a team space: its root namespace holds team folders and, at `homePath`,
 * the member's own folder, which is all a caller sees without Dropbox-API-Path-Root.
 */
export interface TeamSpace {
  rootNamespaceId: string;
  homePath: string;
}

export const HOME_NAMESPACE_ID = '3235641';

export interface TemporaryLink {
  fileId: string;
  path: string;
  expiresAt: number;
}

export interface EmulatorContext {
  app: EmulatedApp;
  account: EmulatedAccount;
  tokens: TokenRegistry;
  tree: FileTree;
  cursors: FolderCursors;
  temporaryLinks: Map<string, TemporaryLink>;
  /** files/search_v2 matches not yet returned, by cursor. */
  searchCursors: Map<string, TreeNode[]>;
  team?: TeamSpace;
  /** When true, /oauth2/authorize approves at once instead of showing Allow and Deny. */
  autoApprove: boolean;
  now(): number;
}
