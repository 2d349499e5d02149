#!/usr/bin/env node
// count.js - the hand-written places that name a public op in lib/ (issue 11: "count the hand-written places per op
// before and after"). A place is a line of a hand-written lib/ file (generated files excluded) that does one of:
//   def     defines the op's public entry (`export function add`, `P.add = ...`, a row of a wiring table)
//   decl    declares it (a signature inside a `declare module` block, or an overload signature)
//   export  exports it (lib/index.ts, lib/ops/families.ts)
//   parse   parses its argument structure by its name (posOpts/kwLeading/parseArgs/checkKeys/optsArg/splitOpts/
//           isOptions ... with 'name'): what the schema's one parser replaces
//   check   checks a value by its name (checkTensor/normDim/...): value checks stay with the op either way
//   list    names it in a method-name list ([... 'add', ...] or { add, ... })
// Only the files that hold the public op surface are read: lib/index.ts, lib/ops/*.ts, lib/nn/functional.ts and
// lib/nn/activation_impl.ts (other
// files merely call the ops). Usage: node scripts/schema/count.js [--lines] [--root DIR] [op ...] (default: the
// issue's representative ops; --root: count another checkout, e.g. `git archive <commit> lib | tar -x -C DIR`).
'use strict';
const fs = require('fs');
const path = require('path');
const ri = process.argv.indexOf('--root');
const root = ri > 0 ? path.resolve(process.argv[ri + 1]) : path.join(__dirname, '..', '..');
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
const SURFACE = /^lib\/(index\.ts|ops\/[^/]+\.ts|nn\/functional\.ts|nn\/activation_impl\.ts|nn\/functional_api\.ts|nn\/convolution\.ts|nn\/maxpool\.ts)$/;
const surface = hand.filter((f) => SURFACE.test(path.relative(root, f).split(path.sep).join('/')));
const lines = (fs_) => fs_.reduce((n, f) => n + fs.readFileSync(f, 'utf8').split('\n').length - 1, 0);
const esc = (s) => s.replace(/[$]/g, '\\$');
const SHOW = process.argv.includes('--lines');
function count(op) {
  const n = esc(op);
  // the op's name in messages and parse calls may be PyTorch's (posOpts('max_pool2d', ...) for maxPool2d)
  const sn = op.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  const q = sn === op ? `'${n}'` : `'(?:${n}|${esc(sn)})'`;
  const c0 = { def: 0, decl: 0, export: 0, parse: 0, check: 0, list: 0 };
  let where = '';
  const c = new Proxy(c0, { set(o, k, v) { if (SHOW) console.log(`  ${op} ${String(k)}: ${where}`); o[k] = v; return true; } });
  for (const f of surface) {
    const rel = path.relative(root, f).split(path.sep).join('/');
    const src = fs.readFileSync(f, 'utf8').split('\n');
    let inDecl = 0;
    src.forEach((line, ln) => {
      where = `${rel}:${ln + 1}: ${line.trim().slice(0, 110)}`;
      if (/declare module/.test(line)) inDecl = 1;
      const t = line.replace(/\/\/.*$/, '');
      if (inDecl) {
        if (new RegExp(`(^|[\\s;{])${n}\\??\\s*[(<]`).test(t)) c.decl++;
        if (/^}\s*$/.test(line)) inDecl = 0;
        return;
      }
      if (rel === 'lib/index.ts' || rel === 'lib/ops/families.ts') {
        if (new RegExp(`\\b${n}\\b`).test(t) && /export/.test(t)) c.export++;
        return;
      }
      if (new RegExp(`^export function ${n}\\(.*\\):[^{]*;\\s*$`).test(t)) { c.decl++; return; }
      if (new RegExp(`^export (async )?(function|const) ${n}\\b|^function ${n}\\(|\\bP\\.${n}\\s*=|^\\s*\\[?'${n}',\\s*[A-Z]`).test(t)) { c.def++; return; }
      if (new RegExp(`(posOpts|kwLeading|parseArgs|parseVarArgs|checkKeys|optsArg|splitOpts|isOptions|positionalDtype|scanArgs|dimArg|accumulateOf|optTail|biasAndOpts|dropoutOpts)\\b[^;]*${q}`).test(t)) { c.parse++; return; }
      if (new RegExp(`(checkTensor|normDim|checkInt|checkDim|parseScatterSrc|checkOperand|reduceMode)\\b[^;]*${q}`).test(t)) { c.check++; return; }
      if (new RegExp(`\\[[^\\]]*'${n}'[^\\]]*\\]|(\\{|,)\\s*${n}\\s*(,|\\})`).test(t) && !/import/.test(t)) { c.list++; return; }
    });
  }
  c0.total = c0.def + c0.decl + c0.export + c0.parse + c0.list;  // value checks (check) are not counted: they stay
  return c0;
}
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const ops = args.filter((a, k) => !(ri > 0 && args.indexOf(process.argv[ri + 1]) === k)).length ? args.filter((a) => a !== process.argv[ri + 1]) : ['add', 'add_', 'sum', 'transpose', 'flatten', 'scatter', 'scatter_', 'softmax', 'cat', 'clamp'];
console.log(`lib/: ${all.length} .ts files, ${lines(all)} lines (${hand.length} hand-written files, ${lines(hand)} lines; generated: ${lines(all.filter((f) => !hand.includes(f)))} lines)`);
console.log('| op | def | decl | export | parse | list | total | (check) |');
console.log('|---|---|---|---|---|---|---|---|');
for (const op of ops) { const c = count(op); console.log(`| ${op} | ${c.def} | ${c.decl} | ${c.export} | ${c.parse} | ${c.list} | ${c.total} | (${c.check}) |`); }
