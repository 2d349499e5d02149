#!/usr/bin/env node
// The one list of C++ sources, read by binding.gyp (CPU build) and CMakeLists.txt (CUDA build):
// every .cc under native/ except native/gloo/ (the distributed addon, built on its own where Gloo is found). `node scripts/sources.js cuda` lists cuda/*.cu instead.
'use strict';
const fs = require('fs');
const path = require('path');
const root = path.join(__dirname, '..');
function walk(dir, ext, acc) {
  for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = dir + '/' + e.name;
    if (e.isDirectory()) { if (rel !== 'native/gloo') walk(rel, ext, acc); }  // native/gloo: its own addon
    else if (e.name.endsWith(ext)) acc.push(rel);
  }
  return acc;
}
const list = process.argv[2] === 'cuda' ? walk('cuda', '.cu', []) : walk('native', '.cc', []);
process.stdout.write(list.join(process.argv[3] === ';' ? ';' : '\n') + '\n');
