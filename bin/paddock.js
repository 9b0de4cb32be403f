#!/usr/bin/env node
'use strict';
// The built CLI (`npm run build` writes out/main/cli.js).
try {
  require('../out/main/cli.js');
} catch (error) {
  if (
    error &&
    error.code === 'MODULE_NOT_FOUND' &&
    String(error.message).includes('out/main/cli.js')
  ) {
    process.stderr.write(
      'paddock: the CLI is not built yet. Run `npm run build` in the Paddock checkout first.\n',
    );
    process.exit(2);
  }
  throw error;
}
