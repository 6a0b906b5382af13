/**
 * @dropview/dropbox-emulator: a Dropbox stand-in over real HTTP, for tests, benchmarks and
 * demo mode. See README.md.
 */
export { DropboxEmulator, MAX_SEARCH_CURSORS, MAX_TEMPORARY_LINKS, type EmulatorOptions } from './emulator';
export { EmulatedAccount, MAX_ACCOUNTS, MAX_RATE_LIMITED_GRANTS, type AccountSpec, type TeamSpace } from './accounts';
export { CallJournal, DEFAULT_JOURNAL_SIZE, type JournalEntry } from './call-journal';
export type { Fault, RandomFaults } from './faults';
export type { EmulatedApp } from './context';
export { FileTree, descendantsOf, type FileTreeOptions } from './tree/file-tree';
export { DEFAULT_CHANGE_JOURNAL_SIZE, type Change } from './tree/change-journal';
export type { FileNode, FileSpec, FolderNode, TreeNode } from './tree/nodes';
export { contentHash, virtualContent, virtualContentHash } from './tree/content';
export { metadataOf } from './tree/metadata';
export { MAX_CURSORS, MAX_HELD_ENTRIES, MAX_HELD_LISTINGS } from './listing/folder-cursors';
export { MAX_CODES, MAX_TOKENS, type TokenRegistry } from './token-registry';
export { generateFolder, groundTruthOf, MAX_GENERATED, type EntryTruth, type GenerateFolderSpec, type GeneratedFolder, type GeneratedKind } from './folder-generator';
export { addSampleFiles, BIG_FOLDER, BIG_FOLDER_SIZE, HOSTILE_FOLDER, VIEWERS_FOLDER } from './sample-files';
export { csvRows, simplePdf, toneWav } from './documents';
export { zipStream, type ZipEntry } from './zip';
export { gradientJpeg, jpegDimensions } from './images';
