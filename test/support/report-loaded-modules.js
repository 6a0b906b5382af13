/**
 * Preloaded (`node --require`) into a Dropview process by test/server/demo-only-emulator.test.ts:
 * when the process exits, it writes every module it loaded (require.cache, which also holds
 * the CommonJS modules that `import()` loaded) to the file named by LOADED_MODULES_REPORT.
 */
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  writeFileSync(process.env.LOADED_MODULES_REPORT, Object.keys(require.cache).join('\n'));
});
