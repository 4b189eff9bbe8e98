/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: '<rootDir>/test/support/environment.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // PGlite costs seconds to create; each worker keeps one and resets it between test files.
  maxWorkers: 2,
  testTimeout: 30000,
  // The shared PGlite instance (test/support/environment.js) lives as long as the worker.
  forceExit: true,
  setupFiles: ['<rootDir>/test/setup-env.ts'],
};
