#!/usr/bin/env node
// nodetorch-run: torchrun for nodetorch (the logic is in lib/distributed/launcher.ts; `npx nodetorch-run --help`).
'use strict';
const path = require('path');
let launcher;
try {
  launcher = require(path.join(__dirname, '..', 'dist', 'distributed', 'launcher.js'));
} catch (e) {
  process.stderr.write(`nodetorch-run: cannot load the compiled launcher (dist/distributed/launcher.js); build nodetorch with \`npm run build:ts\`: ${e.message}\n`);
  process.exit(1);
}
launcher.main(process.argv.slice(2));
