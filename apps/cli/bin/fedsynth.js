#!/usr/bin/env node
// Committed launcher: npm links workspace bins at install time, before `prepare` builds
// dist/, so the bin must point at a file that already exists.
const path = require('node:path');
const main = path.join(__dirname, '..', 'dist', 'main.js');
try {
  require.resolve(main);
} catch {
  process.stderr.write('fedsynth is not built yet: run `npm run build` (or `npm ci`) at the repository root.\n');
  process.exit(1);
}
require(main);
