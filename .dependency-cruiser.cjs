/**
 * The architecture, checked (npm run lint:deps): requests flow one way, route -> handler ->
 * services (auth, folders) -> Dropbox client, with the stores below; nothing imports back up,
 * nothing forms a cycle, and the Dropbox emulator is a package that shares no code with the app.
 */
const layer = (name, from, forbidden, comment) => ({ name, comment, severity: 'error', from: { path: from }, to: { path: forbidden } });
/** The same, where naming a type from below (`import type`) is allowed: it brings no code along. */
const codeLayer = (name, from, forbidden, comment) => ({ ...layer(name, from, forbidden, comment), to: { path: forbidden, dependencyTypesNot: ['type-only'] } });

module.exports = {
  forbidden: [
    { name: 'no-cycles', comment: 'An import cycle hides which module depends on which.', severity: 'error', from: {}, to: { circular: true } },
    layer('dropbox-client-is-a-leaf', '^src/dropbox/', '^src/(http|auth|folders|sessions|views|redis)/', 'The Dropbox client knows Dropbox, not the app that calls it.'),
    layer('services-know-no-http', '^src/(auth|files|folders|sessions|crypto|redis)/', '^src/(http|views)/', 'Services work without Express; only src/http speaks HTTP.'),
    layer('stores-know-no-services', '^src/(sessions|redis|crypto)/', '^src/(auth|folders|dropbox)/', 'Stores keep what services hand them.'),
    layer('views-know-no-http', '^src/views/', '^src/http/', 'Views turn data into HTML for any caller.'),
    codeLayer('views-format-only', '^src/views/', '^src/(auth|files|folders|sessions|redis|dropbox)/', 'Views turn data into HTML; they fetch nothing (they may name its types).'),
    codeLayer(
      'handlers-reach-no-store',
      '^src/http/(handlers|middleware)/',
      '^src/(redis|sessions/(credential-store|embedded-store|redis-session-store))',
      'Handlers go through services, not around them to the stores.',
    ),
    layer('telemetry-is-a-leaf', '^src/telemetry/', '^src/(?!telemetry/)', 'Parts tell the telemetry what happened; it knows none of them.'),
    layer('only-the-root-builds-metrics', '^src/(?!composition-root|telemetry/)', '^src/telemetry/prometheus|prom-client', 'Parts see the Telemetry interface; prom-client stays behind it.'),
    layer('only-the-root-composes', '^src/(?!composition-root|server)', '^src/composition-root', 'Parts are handed what they need; none asks the composition root.'),
    layer(
      'app-shares-nothing-with-the-emulator',
      '^src/(?!server\\.ts)',
      '^packages/dropbox-emulator/|@dropview/dropbox-emulator',
      'Only demo mode (server.ts) starts the emulator; the app never uses its code.',
    ),
    layer('emulator-shares-nothing-with-the-app', '^packages/dropbox-emulator/', '^(src|test|bench)/', 'The emulator is a package of its own.'),
    layer('production-code-imports-no-tests', '^(src|packages/dropbox-emulator/src)/', '^(test|bench)/|/test/', 'Tests use the code, never the other way.'),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: true,
  },
};
