/**
 * `npm run build` (and `prepare`, so `npm install` / `npm ci` build once): the app's src/ to
 * dist/ and the emulator package's src/ to packages/dropbox-emulator/dist/, both transpiled by
 * esbuild (see packages/dropbox-emulator/scripts/build.js). Types are checked by
 * `npm run typecheck`, not here: the build stays a sub-second transpile.
 */
const path = require('node:path');
const { transpile, buildPackage } = require('../packages/dropbox-emulator/scripts/build.js');

const ROOT = path.join(__dirname, '..');

function esbuildInstalled() {
  try {
    require.resolve('esbuild');
    return true;
  } catch {
    return false;
  }
}

if (!esbuildInstalled() && process.env.npm_lifecycle_event === 'prepare') {
  // `npm ci --omit=dev` (a production image) has no esbuild: it runs a dist/ built where the
  // dev dependencies are (`npm ci && npm run build`), so the install must not fail here.
  console.warn('esbuild is not installed (a production-only install?): not building; dist/ must come from a build with the dev dependencies.');
} else {
  Promise.all([transpile(path.join(ROOT, 'src'), path.join(ROOT, 'dist')), buildPackage()]).catch((error) => {
    // esbuild prints its own errors; anything else (esbuild missing for `npm run build`) is said here.
    if (error?.code === 'MODULE_NOT_FOUND') console.error(error.message);
    process.exit(1);
  });
}
