#!/usr/bin/env node
// gen-schema.js - generates lib/ops/generated.ts from the op schema lib/ops/ops.schema (one row per public op):
// the torch.* functions, the Tensor methods and in-place variants, their declarations (overloads: PyTorch's
// parameters positionally, then the rest in an options object by camelCase name), the OpSpec tables that drive the
// one runtime parser (lib/ops/args.ts), out=, and the schema's autocast/gradient columns as data.
// Run by `npm run build:ts` and `npm run gen:ops` (as gen-ops.js); never edit generated.ts by hand.
// `node scripts/gen-schema.js --check` exits 1 when generated.ts is not what the schema gives (the tests run it).
'use strict';
const fs = require('fs');
const path = require('path');
const root = path.join(__dirname, '..');
const SCHEMA = path.join(root, 'lib/ops/ops.schema');
const DST = path.join(root, 'lib/ops/generated.ts');
const DST_F = path.join(root, 'lib/ops/generated_functional.ts');

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

// schema types -> TypeScript types (the declarations) ; `?` after a type adds null (PyTorch's Optional)
const TYPES = {
  Tensor: 'Tensor', 'Tensor[]': 'readonly Tensor[]', 'Tensor|Scalar': 'Tensor | number | boolean', Scalar: 'number',
  'Tensor|float': 'Tensor | number', float: 'number', int: 'number', 'int[]': 'number[]', ints: 'number | number[]',
  bool: 'boolean', DType: 'DTypeName',
  floats: 'number | readonly number[]',  // a float or a tuple of floats (interpolate's scale_factor)
};
// int[N] (PyTorch's int[2] kernel_size): an int, or a tuple of N ints (the op repeats an int N times and checks a
// tuple's length itself, in PyTorch's words); int?[N]: a tuple whose entries may be None (adaptive pools' output_size,
// None: the input's size). The parser checks only the kind (number or array: ParamSpec t 'ints').
for (const n of [1, 2, 3]) {
  TYPES[`int[${n}]`] = `number | readonly [${Array(n).fill('number').join(', ')}]`;
  TYPES[`int?[${n}]`] = `number | readonly [${Array(n).fill('number | null').join(', ')}]`;
}
function tsType(t, where) {
  let opt = false;
  if (t.endsWith('?')) { opt = true; t = t.slice(0, -1); }
  let ts = TYPES[t];
  if (!ts && /^'[^']*'(\|'[^']*')*$/.test(t)) ts = t.split('|').join(' | ');
  // a union of types and string literals (conv's padding: int[2]|'same'|'valid'): each part as above
  if (!ts && t.includes('|')) ts = t.split('|').map((u) => tsType(u, where)).join(' | ');
  if (!ts) throw new Error(`${where}: unknown type '${t}'`);
  return opt ? `${ts} | null` : ts;
}
function jsDefault(d, where) {
  if (d === 'None') return 'null';
  // a tuple default (padding: int[1] = [0]): a JS array
  if (/^\[[^\]]*\]$/.test(d)) return `[${d.slice(1, -1).split(',').map((x) => x.trim()).filter(Boolean).map((x) => jsDefault(x, where)).join(', ')}]`;
  if (d === 'True') return 'true';
  if (d === 'False') return 'false';
  if (/^-?\d+(\.\d+)?(e-?\d+)?$/.test(d) || /^'[^']*'$/.test(d)) return d;
  throw new Error(`${where}: unknown default '${d}'`);
}

// ---- parse the schema -------------------------------------------------------------------------------------------
function parseSchema(text) {
  const rows = [];
  const lines = text.split('\n');
  for (let ln = 0; ln < lines.length; ln++) {
    let line = lines[ln].replace(/#.*$/, '').trimEnd();
    if (!line.trim()) continue;
    while (ln + 1 < lines.length && /^\s+\S/.test(lines[ln + 1]) && !lines[ln + 1].trim().startsWith('#')) line += ' ' + lines[++ln].trim();
    const where = `ops.schema:${ln + 1}`;
    const m = /^((?:F\.)?\w+)\((.*)\)\s*->\s*([^|]+?)\s*\|\s*([^|]*?)\s*(?:\|\s*(.*))?$/.exec(line.trim());
    if (!m) throw new Error(`${where}: cannot parse row: ${line}`);
    const [, fullName, sig, ret, variants, rest] = m;
    const functional = fullName.startsWith('F.');
    const name = functional ? fullName.slice(2) : fullName;
    const params = [];
    let kw = false;
    // (a comma inside brackets -- a default such as [1, 1] -- does not end a parameter)
    for (const p of sig.split(/,\s*(?![^\[]*\])/).filter(Boolean)) {
      if (p === '*') { kw = true; continue; }
      const pm = /^(\w+):\s*([^=]+?)\s*(?:=\s*(.+))?$/.exec(p);
      if (!pm) throw new Error(`${where}: cannot parse parameter '${p}'`);
      params.push({ py: pm[1], name: camel(pm[1]), type: pm[2], ts: tsType(pm[2], where), kw, def: pm[3] === undefined ? undefined : jsDefault(pm[3], where) });
    }
    const keys = {};
    for (const kv of (rest || '').split(/\s+/).filter(Boolean)) {
      const [k, v] = kv.split('=');
      keys[k] = v === undefined ? true : v;
    }
    const vs = variants.split(/\s+/).filter(Boolean);
    for (const v of vs) if (!['function', 'method', 'inplace', 'inplace!', 'out'].includes(v)) throw new Error(`${where}: unknown variant '${v}'`);
    const RETS = { Tensor: 'Tensor', 'Tensor[]': 'Tensor[]', ValuesIndices: 'ValuesIndices', bool: 'boolean', '(Tensor, Tensor)': '[Tensor, Tensor]' };
    // a result that depends on a flag: `-> (Tensor, Tensor) if return_indices else Tensor` (the flag is a bool
    // parameter, default False); the declarations make the flag a type parameter (flagRet below)
    let flag = null;
    const fm = /^(.+?)\s+if\s+(\w+)\s+else\s+(.+)$/.exec(ret);
    if (fm) {
      const fp = params.find((p) => p.py === fm[2]);
      if (!fp || fp.type !== 'bool' || fp.def !== 'false') throw new Error(`${where}: the result's flag '${fm[2]}' must be a bool parameter with default False`);
      if (!RETS[fm[1]] || !RETS[fm[3]]) throw new Error(`${where}: unknown return type in '${ret}'`);
      flag = { param: fp.name, then: RETS[fm[1]], else: RETS[fm[3]] };
    } else if (!RETS[ret]) throw new Error(`${where}: unknown return type '${ret}'`);
    rows.push({
      py: name, name: camel(name), params, ret: flag ? `${flag.then} | ${flag.else}` : RETS[ret], flag, where, functional,
      from: keys.from || null,
      fn: vs.includes('function'), method: vs.includes('method'), inplace: vs.includes('inplace') || vs.includes('inplace!'),
      kernelInplace: vs.includes('inplace!'), out: vs.includes('out'),
      alias: keys.alias ? String(keys.alias).split(',') : [], via: keys.via || null, impl: keys.impl || null, self: keys.self || null,
      dtype: keys.dtype || null, grad: keys.grad || null, autocast: keys.autocast || null,
    });
  }
  return rows;
}

// ---- emit ---------------------------------------------------------------------------------------------------------
// the overloads of a call whose first `skip` parameters are bound (a method's self): k positional arguments, the
// remaining parameters in an options object (required when a required parameter is left to it)
const RESERVED = ['var', 'new', 'delete', 'in', 'default', 'function', 'class', 'const', 'let', 'return', 'this', 'typeof', 'void', 'with', 'yield'];
function overloads(row, params, extra) {
  const pos = params.filter((p) => !p.kw);
  const nReq = pos.filter((p) => p.def === undefined).length;
  const out = [];
  for (let k = pos.length; k >= 0; k--) {
    // (a reserved word as a positional parameter's name -- gaussian_nll_loss's var -- is declared as name_; the
    // options object keeps the name)
    const args = pos.slice(0, k).map((p) => `${RESERVED.includes(p.name) ? `${p.name}_` : p.name}: ${p.ts}`);
    const inOpts = params.filter((p) => p.kw || pos.indexOf(p) >= k);
    const fields = inOpts.map((p) => `${p.name}${p.def === undefined ? '' : '?'}: ${p.ts}`).concat(extra);
    const optsReq = inOpts.some((p) => p.def === undefined);
    if (fields.length) args.push(`opts${optsReq ? '' : '?'}: { ${fields.join('; ')} }`);
    if (k < nReq && !optsReq) continue;
    out.push(args.join(', '));
  }
  return out;
}

function specOf(row, params) {
  const T = { bool: 'bool', 'DType?': 'dtype', DType: 'dtype', ints: 'ints', 'ints?': 'ints' };
  for (const n of [1, 2, 3]) for (const t of [`int[${n}]`, `int?[${n}]`]) T[t] = T[`${t}?`] = 'ints';
  // the value kinds the parser checks for float, float? and bool? (lib/ops/args.ts ParamKind)
  Object.assign(T, { float: 'float', 'float?': 'float?', 'bool?': 'bool?', floats: 'floats', 'floats?': 'floats' });
  const ps = params.map((p) => `{ name: '${p.name}'${p.kw ? ', kw: true' : ''}${p.def !== undefined ? `, def: ${p.def}` : ''}${T[p.type] ? `, t: '${T[p.type]}'` : ''} }`);
  const npos = params.filter((p) => !p.kw).length;
  return `{ op: '${row.py}', params: [${ps.join(', ')}]${row.out ? ', out: true' : ''}, npos: ${npos} }`;
}

// an F row's `from=file` (an implementation module in lib/nn/ other than activation_impl.ts): its import alias
const modAlias = (file) => `M_${file.replace(/\W/g, '_')}`;

// the declarations of a row whose result depends on a flag (row.flag): the flag becomes a type parameter R, and the
// result `R extends true ? then : else` (a literal true -- positionally or in the options object -- gives `then`, an
// omitted flag or false gives `else`, a plain boolean gives the union)
function flagSigs(row, params, extra) {
  const ps = params.map((p) => (p.name === row.flag.param ? { ...p, ts: 'R' } : p));
  return overloads(row, ps, extra).map((sig) => `<R extends boolean = false>(${sig}): R extends true ? ${row.flag.then} : ${row.flag.else}`);
}

// the typed call of the implementation (lib/ops/impls.ts) with the parsed values: a mismatch between the schema
// and an implementation's signature is a compile error
function implCall(row, vals, inplace) {
  const args = row.params.map((p, i) => `${vals[i]} as ${p.ts}`);
  if (row.functional) return `${row.from ? modAlias(row.from) : 'A'}.${row.name}(${args.join(', ')})`;
  if (row.via) return `I.${row.via}${inplace ? '_' : ''}('${row.py}', ${args.join(', ')})`;
  if (row.impl) return `I.${row.impl}(${args.join(', ')})`;
  return `I.${row.name}${inplace ? '_' : ''}(${args.join(', ')})`;
}

function emit(allRows) {
  const rows = allRows.filter((r) => !r.functional);
  const o = [];
  const decl = [];
  const wire = [];
  o.push(`// GENERATED by scripts/gen-schema.js from lib/ops/ops.schema. Do not edit.`);
  o.push(`// The public entry points of the schema's ops: torch.* functions, Tensor methods and in-place variants, their`);
  o.push(`// declarations, and the specs of the one argument parser (lib/ops/args.ts).`);
  o.push(`import { Tensor } from '../tensor';`);
  o.push(`import type { DTypeName } from '../dtype';`);
  o.push(`import { parseCall, parseOverloads, writeOut, OpSpec } from './args';`);
  o.push(`import { inplaceResult } from '../autograd/inplace';`);
  o.push(`import type { ValuesIndices } from './reduce';`);
  o.push(`import * as I from './impls';`);
  o.push(`export * from './families';`);
  o.push(``);
  // overloads: rows of one name (max(input) / max(input, dim, keepdim) / max(input, other)) are tried in schema order;
  // the first whose parameters take the arguments (names, counts, and Tensor/int/bool kinds) applies
  const groups = new Map();
  for (const row of rows) { if (!groups.has(row.name)) groups.set(row.name, []); groups.get(row.name).push(row); }
  for (const [name, group] of groups) {
    if (group.length === 1) continue;
    // a reserved word (var) is exported under its name from a function named name_ (torch.var and torch.var_)
    const id = ['var', 'new', 'delete', 'in', 'default'].includes(name) ? `${name}_` : name;
    for (const r of group) if (r.inplace || r.out || r.alias.length || r.self) throw new Error(`${r.where}: an overloaded row takes no inplace, out, alias or self= yet`);
    const kinds = (r) => `[${r.params.map((p) => `'${/^Tensor\??$/.test(p.type) ? 'tensor' : /^int\??$/.test(p.type) ? 'int' : ''}'`).join(', ')}]`;
    o.push(`const O_${id}: readonly [OpSpec, readonly string[]][] = [`);
    group.forEach((r, k) => o.push(`  [${specOf(r, r.params)}, ${kinds(r)}],`));
    o.push(`];`);
    o.push(`function ${id}_call(args: readonly unknown[], method = false): ${[...new Set(group.map((r) => r.ret))].join(' | ')} {`);
    o.push(`  const { k, v } = parseOverloads(O_${id}, args, method);`);
    group.forEach((r, k) => o.push(`  if (k === ${k}) return ${implCall(r, r.params.map((_, i) => `v[${i}]`), false)};`));
    o.push(`  throw new Error('unreachable');`);
    o.push(`}`);
    if (group.some((r) => r.fn)) {
      for (const r of group) for (const sig of overloads(r, r.params, [])) o.push(`export function ${id}(${sig}): ${r.ret};`);
      o.push(`export function ${id}(...args: unknown[]): ${[...new Set(group.map((r) => r.ret))].join(' | ')} { return ${id}_call(args); }`);
      if (id !== name) o.push(`export { ${id} as ${name} };`);
    }
    if (group.some((r) => r.method)) {
      for (const r of group) for (const sig of overloads(r, r.params.slice(1), [])) decl.push(`    ${name}(${sig}): ${r.ret};`);
      wire.push(`P.${name} = function (this: Tensor, ...args: unknown[]): unknown { return ${id}_call([this, ...args], true); };`);
    }
    o.push(``);
  }
  for (const row of rows) {
    if (groups.get(row.name).length > 1) continue;
    const spec = `S_${row.name}`;
    o.push(`const ${spec}: OpSpec = ${specOf(row, row.params)};`);
    const vals = row.params.map((_, i) => `v[${i}]`);
    o.push(`function ${row.name}_call(args: readonly unknown[], method = false): ${row.ret} {`);
    o.push(`  const { v${row.out ? ', out' : ''} } = parseCall(${spec}, args, method);`);
    if (row.out) {
      o.push(`  if (out) return writeOut('${row.py}', out, v, () => ${implCall(row, vals, false)});`);
    }
    o.push(`  return ${implCall(row, vals, false)};`);
    o.push(`}`);
    if (row.fn) {
      for (const sig of overloads(row, row.params, row.out ? ['out?: Tensor'] : [])) o.push(`export function ${row.name}(${sig}): ${row.ret};`);
      o.push(`export function ${row.name}(...args: unknown[]): ${row.ret} { return ${row.name}_call(args); }`);
      for (const a of row.alias) o.push(`export const ${camel(a)} = ${row.name};`);
    }
    const names = [row.name, ...row.alias.map(camel)];
    if (row.method && row.self) {
      // the method's self is a later parameter (x.where(condition, other) is torch.where(condition, x, other)): its
      // own spec lists self first, and the values go back to the row's order
      const si = row.params.findIndex((p) => p.py === row.self);
      if (si < 1) throw new Error(`${row.where}: self=${row.self} names no later parameter`);
      const mparams = [row.params[si], ...row.params.filter((_, i) => i !== si)];
      o.push(`const ${spec}_self: OpSpec = ${specOf(row, mparams)};`);
      const back = row.params.map((p) => `v[${mparams.indexOf(p)}]`);
      o.push(`function ${row.name}_method(args: readonly unknown[]): ${row.ret} {`);
      o.push(`  const { v } = parseCall(${spec}_self, args, true);`);
      o.push(`  return ${implCall(row, back, false)};`);
      o.push(`}`);
      for (const n of names) for (const sig of overloads(row, mparams.slice(1), [])) decl.push(`    ${n}(${sig}): ${row.ret};`);
      wire.push(`P.${row.name} = function (this: Tensor, ...args: unknown[]): ${row.ret} { return ${row.name}_method([this, ...args]); };`);
    } else if (row.method) {
      const mparams = row.params.slice(1);
      for (const n of names) for (const sig of overloads(row, mparams, [])) decl.push(`    ${n}(${sig}): ${row.ret};`);
      wire.push(`P.${row.name} = function (this: Tensor, ...args: unknown[]): ${row.ret} { return ${row.name}_call([this, ...args], true); };`);
      for (const a of row.alias) wire.push(`P.${camel(a)} = P.${row.name};`);
    }
    if (row.inplace) {
      const ispec = `S_${row.name}_`;
      o.push(`const ${ispec}: OpSpec = ${specOf({ ...row, py: row.py + '_', out: false }, row.params)};`);
      const mparams = row.params.slice(1);
      for (const n of names) for (const sig of overloads(row, mparams, [])) decl.push(`    ${n}_(${sig}): Tensor;`);
      const ivals = ['self', ...row.params.slice(1).map((_, i) => `v[${i + 1}]`)];
      const body = row.kernelInplace
        ? `return ${implCall(row, ivals, true)};`
        : `return inplaceResult(self, '${row.py}_', (src) => ${implCall(row, ['src', ...ivals.slice(1)], false)}, v);`;
      wire.push(`P.${row.name}_ = function (this: Tensor, ...args: unknown[]): Tensor { const self = this; const { v } = parseCall(${ispec}, [self, ...args], true); ${body} };`);
      for (const a of row.alias) wire.push(`P.${camel(a)}_ = P.${row.name}_;`);
    }
    o.push(``);
  }
  o.push(`declare module '../tensor' {`);
  o.push(`  interface Tensor {`);
  o.push(...decl);
  o.push(`  }`);
  o.push(`}`);
  o.push(`const P = Tensor.prototype as unknown as Record<string, unknown>;`);
  o.push(...wire);
  o.push(``);
  o.push(`/** The schema's columns as data: dtype rule, gradient node, autocast category (tests check them against the ops). */`);
  o.push(`export const SCHEMA: readonly { op: string; name: string; variants: string[]; dtype: string | null; grad: string | null; autocast: string | null }[] = [`);
  for (const r of allRows) {
    const vs = [r.functional ? 'functional' : r.fn && 'function', r.method && 'method', r.inplace && 'inplace', r.out && 'out'].filter(Boolean);
    o.push(`  { op: '${r.functional ? 'F.' : ''}${r.py}', name: '${r.name}', variants: [${vs.map((v) => `'${v}'`).join(', ')}], dtype: ${r.dtype ? `'${r.dtype}'` : 'null'}, grad: ${r.grad ? `'${r.grad}'` : 'null'}, autocast: ${r.autocast ? `'${r.autocast}'` : 'null'} },`);
  }
  o.push(`];`);
  o.push(``);
  return o.join('\n');
}

// the nn.functional rows: torch.nn.functional's functions (lib/nn/functional.ts re-exports them)
function emitFunctional(allRows) {
  const o = [];
  o.push(`// GENERATED by scripts/gen-schema.js from lib/ops/ops.schema (its F. rows). Do not edit.`);
  o.push(`// torch.nn.functional's schema functions (exported by lib/nn/functional_api.ts); implementations: lib/nn/activation_impl.ts`);
  o.push(`// and the files the rows name with from=.`);
  o.push(`import type { Tensor } from '../tensor';`);
  o.push(`import type { DTypeName } from '../dtype';`);
  o.push(`import { parseCall, OpSpec } from './args';`);
  o.push(`import * as A from '../nn/activation_impl';`);
  for (const f of [...new Set(allRows.filter((r) => r.functional && r.from).map((r) => r.from))]) o.push(`import * as ${modAlias(f)} from '../nn/${f}';`);
  o.push(``);
  for (const row of allRows.filter((r) => r.functional)) {
    const spec = `S_${row.name}`;
    o.push(`const ${spec}: OpSpec = ${specOf(row, row.params)};`);
    if (row.flag) for (const sig of flagSigs(row, row.params, [])) o.push(`export function ${row.name}${sig};`);
    else for (const sig of overloads(row, row.params, [])) o.push(`export function ${row.name}(${sig}): ${row.ret};`);
    o.push(`export function ${row.name}(...args: unknown[]): ${row.ret} {`);
    o.push(`  const { v } = parseCall(${spec}, args);`);
    o.push(`  return ${implCall(row, row.params.map((_, i) => `v[${i}]`), false)};`);
    o.push(`}`);
  }
  o.push(``);
  return o.join('\n');
}

function main() {
  const rows = parseSchema(fs.readFileSync(SCHEMA, 'utf8'));
  for (const [dst, src] of [[DST, emit(rows)], [DST_F, emitFunctional(rows)]]) {
    const cur = fs.existsSync(dst) ? fs.readFileSync(dst, 'utf8') : '';
    if (process.argv.includes('--check')) {
      if (cur !== src) { console.error(`${path.relative(root, dst)} is out of date: run node scripts/gen-schema.js`); process.exit(1); }
    } else if (cur !== src) fs.writeFileSync(dst, src);
  }
}
if (require.main === module) main();
module.exports = { parseSchema };
