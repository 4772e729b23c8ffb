/**
 * The folder rules of DESIGN.md, checked by `npm run lint`: a feature folder
 * uses shared/, db/, auth/ and the top-level modules, and of the other
 * features only those it is built on (below), never the other way; only the
 * composition roots see them all: app.ts (the routes), main.ts (the processes)
 * and upkeep/ (each feature's periodic housekeeping). Nothing imports in a circle.
 */
const FEATURES = ['payloads', 'gathering', 'reports', 'schedules', 'tasks', 'health', 'console', 'bus'];

/**
 * A schedule runs report jobs; every report execution is a task; the bus
 * stores status events as the payload tracker does. These are
 * the only edges between features, and they point one way.
 */
const BUILT_ON = {
  schedules: ['reports', 'tasks'],
  reports: ['tasks'],
  bus: ['payloads'],
};

export default {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'Modules that import each other, directly or around a loop, cannot be understood or changed apart.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...FEATURES.map((feature) => ({
      name: `${feature}-keeps-to-itself`,
      comment: `src/${feature}/ may not reach into another feature; what two features need goes to src/shared/.`,
      severity: 'error',
      from: { path: `^src/${feature}/` },
      to: { path: `^src/(${FEATURES.filter((other) => other !== feature && !(BUILT_ON[feature] ?? []).includes(other)).join('|')})/` },
    })),
    {
      name: 'plumbing-knows-no-feature',
      comment: 'shared/, db/, auth/ and the top-level modules serve the features; only the composition roots compose them.',
      severity: 'error',
      from: { path: '^src/(shared|db|auth)/|^src/[^/]+\\.ts$', pathNot: '^src/(app|main)\\.ts$' },
      to: { path: `^src/(${FEATURES.join('|')})/` },
    },
    {
      name: 'src-stands-alone',
      comment: 'The service does not depend on its tests or benchmarks.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'bench-uses-no-tests',
      comment: 'The benchmark does not borrow test helpers; what both need lives in src/ or bench/.',
      severity: 'error',
      from: { path: '^bench/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
