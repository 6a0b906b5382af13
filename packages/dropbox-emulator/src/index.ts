/**
 * @dropview/dropbox-emulator: a Dropbox stand-in over real HTTP, for tests, benchmarks and
 * demo mode.
 */
export { DropboxEmulator, type EmulatorOptions, type Fault, type JournalEntry, type RandomFaults } from './emulator';
export { FileTree, type FileSpec, type TreeNode } from './file-tree';
export { addSampleFiles, BIG_FOLDER, BIG_FOLDER_SIZE } from './sample-files';
export { gradientJpeg, jpegDimensions } from './images';
