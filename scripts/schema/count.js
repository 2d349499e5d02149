#!/usr/bin/env node
// count.js - the hand-written places that name a public op in lib/ (issue 11: "count the hand-written places per op
// before and after"). A place is a line of a hand-written lib/ file (generated files excluded) that does one of:
//   def     defines the op's public entry (`export function add`, `P.add = ...`, a row of a wiring table)
//   decl    declares it (a signature inside a `declare module` block, or an overload signature)
//   export  exports it (lib/index.ts, lib/ops/families.ts)
//   parse   parses its arguments by its name (posOpts/kwLeading/parseArgs/checkKeys/checkTensor/... with 'name')
//   list    names it in a method-name list ([... 'add', ...] or { add, ... })
// Usage: node scripts/schema/count.js [op ...]  (default: the representative ops)
'use strict';
const fs = require('fs');
const path = require('path');
const root = path.join(__dirname, '..', '..');
const GENERATED = /^\/\/ GENERATED/;
function files(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}
const all = files(path.join(root, 'lib'));
const hand = all.filter((f) => !GENERATED.test(fs.readFileSync(f, 'utf8')));
const lines = (fs_) => fs_.reduce((n, f) => n + fs.readFileSync(f, 'utf8').split('\n').length - 1, 0);
const esc = (s) => s.replace(/[$]/g, '\\$');
function count(op) {
  const n = esc(op);
  const c = { def: 0, decl: 0, export: 0, parse: 0, list: 0 };
  for (const f of hand) {
    const rel = path.relative(root, f);
    const src = fs.readFileSync(f, 'utf8').split('\n');
    let inDecl = 0;
    for (const line of src) {
      if (/declare module/.test(line)) inDecl = 1;
      const t = line.replace(/\/\/.*$/, '');
      if (inDecl) {
        if (new RegExp(`(^|[\\s;{])${n}\\??\\s*[(<]`).test(t)) c.decl++;
        if (/^}\s*$/.test(line)) inDecl = 0;
        continue;
      }
      if (rel === 'lib/index.ts' || rel === 'lib/ops/families.ts') {
        if (new RegExp(`\\b${n}\\b`).test(t) && /export/.test(t)) c.export++;
        continue;
      }
      if (new RegExp(`^export function ${n}\\(.*\\):[^{]*;\\s*$`).test(t)) { c.decl++; continue; }
      if (new RegExp(`^export (async )?(function|const) ${n}\\b|^function ${n}\\(|\\bP\\.${n}\\s*=|^\\s*\\[?'${n}',\\s*[A-Z]`).test(t)) { c.def++; continue; }
      if (new RegExp(`(posOpts|kwLeading|parseArgs|checkKeys|optsArg|checkTensor|splitOpts|normDim|parseScatterSrc|reduceMode)\\b[^;]*'${n}'`).test(t)) { c.parse++; continue; }
      if (new RegExp(`\\[[^\\]]*'${n}'[^\\]]*\\]|(\\{|,)\\s*${n}\\s*(,|\\})`).test(t) && !/import/.test(t)) { c.list++; continue; }
    }
  }
  c.total = c.def + c.decl + c.export + c.parse + c.list;
  return c;
}
const ops = process.argv.slice(2).length ? process.argv.slice(2) : ['add', 'add_', 'sum', 'transpose', 'flatten', 'scatter', 'scatter_', 'softmax', 'cat', 'clamp'];
console.log(`lib/: ${all.length} .ts files, ${lines(all)} lines (${hand.length} hand-written files, ${lines(hand)} lines; generated: ${lines(all.filter((f) => !hand.includes(f)))} lines)`);
console.log('| op | def | decl | export | parse | list | total |');
console.log('|---|---|---|---|---|---|---|');
for (const op of ops) { const c = count(op); console.log(`| ${op} | ${c.def} | ${c.decl} | ${c.export} | ${c.parse} | ${c.list} | ${c.total} |`); }
