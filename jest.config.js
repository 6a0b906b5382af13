/**
 * Jest: two projects, so the root's `npm test` runs everything. The app's tests (test/), and
 * the emulator package's own (packages/dropbox-emulator/jest.config.js). TypeScript through
 * ts-jest (types are checked separately by `npm run typecheck`).
 */
module.exports = {
  maxWorkers: 2,
  // Read from the top level when several projects run (the projects' own are then ignored).
  testTimeout: 20000,
  projects: [
    {
      displayName: 'app',
      testEnvironment: 'node',
      rootDir: __dirname,
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      // Transpiled only (tsconfig's isolatedModules): `npm run typecheck` checks the types once, for the whole tree.
      transform: { '^.+\\.ts$': 'ts-jest' },
      // The emulator by its package name, from its TypeScript source: editing it needs no rebuild.
      moduleNameMapper: { '^@dropview/dropbox-emulator$': '<rootDir>/packages/dropbox-emulator/src/index.ts' },
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      testTimeout: 20000,
    },
    '<rootDir>/packages/dropbox-emulator',
  ],
};
