#!/usr/bin/env node
// Entry point for `npx tenant-health`: runs the compiled command line (built by `npm ci` through the prepare script).
'use strict';
let cli;
try {
  cli = require('../dist/cli/main.js');
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND') {
    process.stderr.write(
      'tenant-health: the project is not built; run `npm ci` (or `npm run build`) in the project root first\n',
    );
    process.exit(2);
  }
  throw error;
}
// A reader that went away (tenant-health ... | head) is not a failure to report: stop writing, quietly.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error) => {
    if (error && error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
cli.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`tenant-health: ${error && error.stack ? error.stack : error}\n`);
    process.exitCode = 1;
  },
);
