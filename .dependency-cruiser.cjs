/**
 * The layer rules, checked by `npm run layers` (part of `npm test`). Each rule says why; the
 * architecture in words is in docs/architecture.md.
 */
/** The composition root: the only code under src/ that may read config/. */
const ROOT = '^src/(runtime|server|run-workers)\\.ts$|^src/cli/|^src/demo/|^src/devtools/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle makes load order matter and layers meaningless.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'src-not-config',
      severity: 'error',
      comment:
        'Owners own their schemas: config/ reads files and the environment and composes what src/ exports; src/ never reads config/ (the composition root aside).',
      from: { path: '^src/', pathNot: ROOT },
      to: { path: '^config/' },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment:
        'The domain (vocabulary, mention, alert, calendar) depends on nothing of ours but itself and errors.',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/(domain/|errors\\.ts$)' },
    },
    {
      name: 'no-infrastructure-in-the-core',
      severity: 'error',
      comment:
        'Domain, analysis, detection, alerts and insights run without Express, BullMQ, MongoDB or Redis.',
      from: { path: '^src/(domain|analysis|detection|alerts|insights)/' },
      to: { dependencyTypes: ['npm'], path: 'node_modules/(express|bullmq|mongodb|ioredis)/' },
    },
    {
      name: 'mongodb-only-in-the-store',
      severity: 'error',
      comment: 'Repositories return plain objects; nothing else speaks MongoDB.',
      from: { path: '^src/', pathNot: '^src/store/' },
      to: { dependencyTypes: ['npm'], path: 'node_modules/mongodb/' },
    },
    {
      name: 'sources-stay-adapters',
      severity: 'error',
      comment:
        'A source kind reads the web and returns mention drafts: it knows the domain, its shared helpers (and the network guard under them, src/net/) and errors, not the store, the queues, the jobs or the API.',
      from: { path: '^src/sources/' },
      to: { path: '^src/', pathNot: '^src/(sources/|net/|domain/|errors\\.ts$)' },
    },
    {
      name: 'channels-stay-channels',
      severity: 'error',
      comment:
        'A channel type renders and sends a message (through the network guard of src/net/); it reads no store and no queue.',
      from: { path: '^src/alerts/' },
      to: { path: '^src/(store|queue|jobs|api|sources)/' },
    },
    {
      name: 'insights-are-pure',
      comment:
        'src/insights/ judges counts (trends, share of voice, the journey map): what it reads comes from the handlers, so it imports no store, queue, job, ingest or API.',
      severity: 'error',
      from: { path: '^src/insights/' },
      to: { path: '^src/(store|queue|jobs|api|ingest|sources)/' },
    },
    {
      name: 'net-stays-below',
      severity: 'error',
      comment:
        'src/net/ (SSRF guard, robots.txt, per-host limits) is what sources and channels share: it knows errors, the domain and packages, nothing of theirs.',
      from: { path: '^src/net/' },
      to: { path: '^src/', pathNot: '^src/(net/|domain/|errors\\.ts$)' },
    },
    {
      name: 'no-upward-imports',
      severity: 'error',
      comment:
        'Entry points and jobs call into the core, never the other way round: the core does not import jobs, the API, workers, scripts or tests.',
      from: {
        path: '^src/(domain|analysis|detection|alerts|insights|sources|store|ingest|settings)/',
      },
      to: {
        path: '^src/(jobs|api|cli|demo)/|^src/(runtime|server|run-workers)\\.ts$|^(workers|scripts|test)/',
      },
    },
    {
      name: 'core-does-not-count',
      comment:
        'Metrics (src/ops/) are counted where the work is wired (jobs, doors, API, workers), never inside the core: domain, analysis, detection and alerts stay pure.',
      severity: 'error',
      from: { path: '^src/(domain|analysis|detection|alerts|sources|net|store)/' },
      to: { path: '^src/ops/' },
    },
    {
      name: 'ops-stays-below',
      severity: 'error',
      comment:
        'src/ops/ (metrics) knows the queues, the logger and packages; the jobs, doors and API that call it are above it.',
      from: { path: '^src/ops/' },
      to: {
        path: '^src/(api|jobs|ingest|cli|demo|devtools)/|^src/(runtime|server|run-workers)\\.ts$',
      },
    },
    {
      name: 'settings-read-the-store',
      severity: 'error',
      comment:
        'src/settings/ (channels, routes and the journey as an admin changed them) reads the store and composes the core: the jobs, doors and API ask it; it knows no queue, job, ingest or API.',
      from: { path: '^src/settings/' },
      to: { path: '^src/(queue|jobs|api|ingest|sources|ops)/' },
    },
    {
      name: 'src-not-tests-or-scripts',
      severity: 'error',
      comment: 'The product ships without its tests and scripts.',
      from: { path: '^(src|workers|config)/' },
      to: { path: '^(test|scripts)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
