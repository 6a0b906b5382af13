/**
 * Transpiles src/**\/*.ts to dist/ (CommonJS, Node 20, source maps) with esbuild: one file per
 * source file, no bundling and no type checking (`npm run typecheck` does that), so a build
 * takes well under a second. The root's `npm run build` calls transpile() for the app too.
 */
const { rmSync, readdirSync } = require('node:fs');
const path = require('node:path');

/** Every .ts file under `dir`, declaration files left out (they hold types only). */
function sourcesIn(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name));
}

/** Empties `outDir` first, so a file removed from `srcDir` cannot live on in the build. */
async function transpile(srcDir, outDir) {
  // Required here, not at the top: a production-only install has no esbuild (see the root's scripts/build.js).
  const esbuild = require('esbuild');
  rmSync(outDir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: sourcesIn(srcDir),
    outbase: srcDir,
    outdir: outDir,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });
}

const PACKAGE_ROOT = path.join(__dirname, '..');
const buildPackage = () => transpile(path.join(PACKAGE_ROOT, 'src'), path.join(PACKAGE_ROOT, 'dist'));

module.exports = { transpile, buildPackage };

if (require.main === module) {
  buildPackage().catch(() => {
    // esbuild has printed the error already.
    process.exit(1);
  });
}
