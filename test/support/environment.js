/**
 * Jest environment that keeps one embedded PGlite per worker process.
 *
 * Jest builds a new environment for every test file, but this module is loaded once per worker,
 * so the instance below outlives test files: PGlite costs seconds to create and milliseconds to
 * reset. Test files reach it through `globalThis.__sharedPglite` (see test/support/db.ts).
 */
const { TestEnvironment } = require('jest-environment-node');

let shared; // Promise<PGlite> | undefined

function sharedPglite() {
  if (!shared) {
    shared = import('@electric-sql/pglite').then(({ PGlite }) => PGlite.create(undefined, { postgresqlconf: 'shared_buffers=16MB' }));
  }
  return shared;
}

class SharedPgliteEnvironment extends TestEnvironment {
  async setup() {
    await super.setup();
    this.global.__sharedPglite = sharedPglite;
  }
}

module.exports = SharedPgliteEnvironment;
