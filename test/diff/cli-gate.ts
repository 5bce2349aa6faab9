// How the differential tests behave while dist/cli.js does not exist yet: in CI (CI set) a single test fails
// with a clear message; locally that test is reported as `todo` and the per-program tests are not registered.
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLI } from '../corpus/build.mjs';

/** Registers the gate test and returns true when the CLI exists (so per-program tests should be registered). */
export function requireCli(suite: string): boolean {
  if (existsSync(CLI)) return true;
  const msg = `${suite}: ${CLI} does not exist; run \`npm run build\` (the differential tests run the CLI)`;
  if (process.env.CI) test(`${suite}: dist/cli.js exists`, () => assert.fail(msg));
  else test(`${suite}: dist/cli.js exists`, { todo: `${msg} — todo locally, a failure when CI is set` }, () => assert.fail(msg));
  return false;
}
