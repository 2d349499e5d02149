#!/usr/bin/env node
// find-gloo.js - where Gloo's headers and shared library are (Debian's libgloo-dev puts the library in /usr/lib).
// `node scripts/find-gloo.js` prints JSON { found, incdir, libdir, reason }; with `libdir` it prints the folder only.
// GLOO_HOME (a prefix holding include/gloo and lib/libgloo.so) takes precedence.
'use strict';
const fs = require('fs');
const path = require('path');

function find() {
  const prefixes = [process.env.GLOO_HOME, '/usr', '/usr/local'].filter(Boolean);
  const libdirs = (p) => [path.join(p, 'lib'), path.join(p, 'lib', 'x86_64-linux-gnu'), path.join(p, 'lib', 'aarch64-linux-gnu'), path.join(p, 'lib64')];
  for (const p of prefixes) {
    const inc = path.join(p, 'include');
    if (!fs.existsSync(path.join(inc, 'gloo', 'allreduce.h')) || !fs.existsSync(path.join(inc, 'gloo', 'transport', 'tcp', 'device.h'))) continue;
    for (const l of libdirs(p)) if (fs.existsSync(path.join(l, 'libgloo.so'))) return { found: true, incdir: inc, libdir: l };
  }
  return { found: false, reason: 'Gloo was not found (no include/gloo/allreduce.h with lib/libgloo.so under ' + prefixes.join(', ') + '); install it with `apt-get install libgloo-dev` (Debian/Ubuntu) or set GLOO_HOME' };
}
module.exports = { find };
if (require.main === module) {
  const r = find();
  if (process.argv[2] === 'libdir') process.stdout.write((r.libdir || '/usr/lib') + '\n');
  else process.stdout.write(JSON.stringify(r) + '\n');
}
