#!/usr/bin/env node
// Builds dist/ (npm run build); as npm's prepare step (--if-installed) a production install, npm ci --omit=dev, keeps the dist/ built before.
'use strict';
const { existsSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const { execFileSync } = require('node:child_process');

let typescript;
try {
  typescript = require.resolve('typescript/bin/tsc');
} catch (error) {
  if (!process.argv.includes('--if-installed')) throw error;
  const built = existsSync(join(__dirname, '..', 'dist', 'cli', 'main.js'));
  process.stderr.write(
    built
      ? 'tenant-health: production install (no dev dependencies): keeping the dist/ built before\n'
      : 'tenant-health: production install (no dev dependencies) and no dist/: build first with npm ci && npm run build, then npm ci --omit=dev\n',
  );
  process.exit(0);
}
const root = join(__dirname, '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [typescript, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
