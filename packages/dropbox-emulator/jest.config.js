/**
 * Jest for the emulator package alone (`npm test --workspace @dropview/dropbox-emulator`), and
 * one of the projects the root's jest runs. TypeScript through ts-jest with this package's
 * tsconfig; every test talks real HTTP to an emulator on a free port.
 */
module.exports = {
  displayName: 'dropbox-emulator',
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: `${__dirname}/tsconfig.json` }] },
  testTimeout: 20000,
};
