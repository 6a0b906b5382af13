/**
 * `npm run build` (and `prepare`, so `npm install` / `npm ci` build once): the app's src/ to
 * dist/ and the emulator package's src/ to packages/dropbox-emulator/dist/, both transpiled by
 * esbuild (see packages/dropbox-emulator/scripts/build.js). Types are checked by
 * `npm run typecheck`, not here: the build stays a sub-second transpile.
 */
const path = require('node:path');
const { transpile, buildPackage } = require('../packages/dropbox-emulator/scripts/build.js');

const ROOT = path.join(__dirname, '..');

Promise.all([transpile(path.join(ROOT, 'src'), path.join(ROOT, 'dist')), buildPackage()]).catch(() => {
  // esbuild has printed the error already.
  process.exit(1);
});
