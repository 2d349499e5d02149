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
const DST_L = path.join(root, 'lib/ops/generated_linalg.ts');

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

// schema types -> TypeScript types (the declarations) ; `?` after a type adds null (PyTorch's Optional)
const TYPES = {
  Tensor: 'Tensor', 'Tensor[]': 'readonly Tensor[]', 'Tensor|Scalar': 'Tensor | number | boolean', Scalar: 'number',
  'Tensor|float': 'Tensor | number', 'int|Tensor': 'number | Tensor', float: 'number', int: 'number', 'int[]': 'number[]', ints: 'number | number[]',
  bool: 'boolean', DType: 'DTypeName',
  // the creation ops' types (ops.schema's creation section): `int...` is a varargs size (zeros(2, 3), zeros([2, 3]),
  // zeros({ size: [2, 3] })): this is its type by name, the positional forms are varargsForms'; Size is a list of ints
  // (randint's size: a number there is a TypeError, as PyTorch's); the keyword-only factory options
  'int...': 'number | readonly number[]', Size: 'readonly number[]', Device: 'DeviceName | Device', Generator: 'Generator',
  MemoryFormat: 'MemoryFormat', Data: 'TensorData', Buffer: 'ArrayBufferView | ArrayBuffer',
  floats: 'number | readonly number[]',  // a float or a tuple of floats (interpolate's scale_factor)
  // nodetorch's index specs (lib/ops/indexing.ts IndexSpec: a number, 'a:b' slice string, null, '...', a bool, an
  // index tensor or a nested list), one or a list of them: index_put's indices
  IndexSpec: 'IndexSpec[] | IndexSpec',
  // the creation ops' layout= (torch.strided: nodetorch's one layout; lib/layout.ts)
  Layout: 'StridedLayout',
  // tensordot's dims: an int, a pair of int lists (or ints), or a tensor of either
  TensordotDims: 'number | readonly [number | readonly number[], number | readonly number[]] | Tensor',
};
// types (parameters or results) declared outside the generated file: the import each needs, emitted only when a row
// uses it (emit's extraImports)
const TYPE_IMPORTS = {
  Generator: { ts: 'Generator', from: './creation' },
  MemoryFormat: { ts: 'MemoryFormat', from: '../memory_format' },
  MinMax: { ts: 'MinMax', from: './order' },
  IndexSpec: { ts: 'IndexSpec', from: './indexing' },
  Layout: { ts: 'StridedLayout', from: '../layout' },
};
// a flag's literal value, `true` or `false`: overload rows of one name differ by it when their results do
// (nonzero(input, *, as_tuple: false) -> Tensor, nonzero(input, *, as_tuple: true) -> Tensor[])
TYPES.true = 'true';
TYPES.false = 'false';
function extraImports(rows) {
  const used = new Set();
  for (const r of rows) {
    for (const p of r.params) for (const part of p.type.replace(/\?$/, '').split('|')) if (TYPE_IMPORTS[part]) used.add(part);
    if (TYPE_IMPORTS[r.retName]) used.add(r.retName);
  }
  return [...used].sort().map((k) => `import type { ${TYPE_IMPORTS[k].ts} } from '${TYPE_IMPORTS[k].from}';`);
}
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
  // a union of types and string literals (conv's padding: int[2]|'same'|'valid'; norm's p: float|'fro'|'nuc'): each
  // part as above
  if (!ts && t.includes('|')) ts = t.split('|').map((u) => tsType(u, where)).join(' | ');
  if (!ts) throw new Error(`${where}: unknown type '${t}'`);
  return opt ? `${ts} | null` : ts;
}
// the runtime kinds of the types a parameter's alternative keyword names take (lib/ops/args.ts checks them)
const ALT_KIND = { Scalar: 'num', 'Tensor|Scalar': 'any', int: 'int', 'int[]': 'ints', ints: 'intOrInts', Tensor: 'tensor' };
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
    const m = /^((?:F\.|linalg\.)?\w+)\((.*)\)\s*->\s*([^|]+?)\s*\|\s*([^|]*?)\s*(?:\|\s*(.*))?$/.exec(line.trim());
    if (!m) throw new Error(`${where}: cannot parse row: ${line}`);
    const [, fullName, sig, ret, variants, rest] = m;
    const functional = fullName.startsWith('F.');
    // linalg. rows: torch.linalg's functions (lib/ops/generated_linalg.ts, the torch.linalg namespace object;
    // implementations: lib/linalg.ts's function of the row's camelCase name)
    const linalg = fullName.startsWith('linalg.');
    const name = functional ? fullName.slice(2) : linalg ? fullName.slice(7) : fullName;
    const params = [];
    let kw = false;
    // (a comma inside brackets -- a default such as [1, 1] -- does not end a parameter)
    for (let p of sig.split(/,\s*(?![^\[]*\])/).filter(Boolean)) {
      if (p === '*') { kw = true; continue; }
      // `~name:Type`: another keyword name of this parameter, for a value of that type (PyTorch's overloads that name
      // one argument differently by its type: scatter's src= / value=, tensor_split's sections= / indices=)
      const alts = [];
      p = p.replace(/\s+~(\w+):(\S+)/g, (_, n, t) => {
        if (!ALT_KIND[t]) throw new Error(`${where}: ~${n}: unknown alternative type '${t}'`);
        alts.push({ py: n, name: camel(n), type: t, ts: tsType(t, where), kind: ALT_KIND[t] });
        return '';
      });
      const pm = /^(\w+):\s*([^=]+?)\s*(?:=\s*(.+))?$/.exec(p);
      if (!pm) throw new Error(`${where}: cannot parse parameter '${p}'`);
      const ts = tsType(pm[2], where);
      // positionally, any of the forms: the union of the types
      const union = [...new Set([ts, ...alts.map((a) => a.ts)].flatMap((t) => t.split(' | ')))].join(' | ');
      params.push({ py: pm[1], name: camel(pm[1]), type: pm[2], ts: alts.length ? union : ts, kwTs: ts, kwKind: alts.length ? ALT_KIND[pm[2]] : undefined, alts, kw, def: pm[3] === undefined ? undefined : jsDefault(pm[3], where) });
    }
    // a varargs size (`int...`) is the row's first and only positional parameter; left out, it is [] (a 0-dim result,
    // as nodetorch's zeros() has always given)
    // a method's varargs (`shape: int...` after `input: Tensor`): x.view(2, 3), x.view([2, 3]), x.view({ size }),
    // torch.reshape(x, [2, 3]); required (PyTorch's missing-argument error), function and/or method only
    const va = params.findIndex((p) => p.type === 'int...');
    if (va === 0 && !/^\s*function(\s+out)?\s*$/.test(variants)) throw new Error(`${where}: a leading int... row is a function (and out) only: a method's varargs follows its input (reshape(input: Tensor, shape: int...))`);
    if (va === 1 && (params[0].type !== 'Tensor' || !/^\s*(function|method)(\s+(function|method))?\s*$/.test(variants))) throw new Error(`${where}: an int... parameter comes first, or right after a Tensor input in a function and/or method row (no out, no inplace)`);
    if (va >= 0) {
      if (va > 1 || params.slice(va + 1).some((p) => !p.kw)) throw new Error(`${where}: an int... parameter comes first (or after the input), and only keyword-only parameters follow it`);
      if (va === 0) params[0].def = '[]';
    }
    const keys = {};
    for (const kv of (rest || '').split(/\s+/).filter(Boolean)) {
      const [k, v] = kv.split('=');
      keys[k] = v === undefined ? true : v;
    }
    const vs = variants.split(/\s+/).filter(Boolean);
    for (const v of vs) if (!['function', 'method', 'inplace', 'inplace!', 'out'].includes(v)) throw new Error(`${where}: unknown variant '${v}'`);
    const RETS = { Tensor: 'Tensor', 'Tensor[]': 'Tensor[]', ValuesIndices: 'ValuesIndices', bool: 'boolean', MinMax: 'MinMax', int: 'number', '(Tensor, Tensor)': '[Tensor, Tensor]',
      '(Tensor, Tensor?)': '[Tensor, Tensor | null]',
      // torch.linalg's named tuples (lib/linalg.ts: arrays with the names as properties)
      Slogdet: 'Slogdet', QR: 'QR', Eigh: 'Eigh', SVD: 'SVD', Lstsq: 'Lstsq' };  // (multi_head_attention_forward: (output, weights or None))
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
      py: name, name: camel(name), params, ret: flag ? `${flag.then} | ${flag.else}` : RETS[ret], retName: ret, flag, where, functional, linalg,
      from: keys.from || null,
      fn: vs.includes('function'), method: vs.includes('method'), inplace: vs.includes('inplace') || vs.includes('inplace!'),
      kernelInplace: vs.includes('inplace!'), out: vs.includes('out'),
      alias: keys.alias ? String(keys.alias).split(',') : [], via: keys.via || null, impl: keys.impl || null, self: keys.self || null,
      dtype: keys.dtype || null, grad: keys.grad || null, autocast: keys.autocast || null, varargs: va === 0, varargsAt: va,
      scalarSelf: keys.scalar_self ? (keys.scalar_self === true ? 'tensor' : keys.scalar_self) : null, alone: keys.alone || null,
      alphaFirst: !!keys.alpha_first, outAt: keys.out_at === undefined ? null : Number(keys.out_at),
    });
    const r0 = rows[rows.length - 1];
    if (r0.outAt !== null && (!r0.out || !(r0.outAt > 0 && r0.outAt <= r0.params.filter((p) => !p.kw).length) || r0.varargsAt >= 0 || r0.scalarSelf || r0.alphaFirst)) throw new Error(`${where}: out_at=N: a row with out, N a place among its positional parameters (no int..., scalar_self or alpha_first)`);
    const ss = rows[rows.length - 1].scalarSelf;
    if (ss && !['tensor', 'tensor_noout', 'any'].includes(ss)) throw new Error(`${where}: scalar_self=${ss}: expected scalar_self, scalar_self=tensor_noout or scalar_self=any`);
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
    const optsReq = inOpts.some((p) => p.def === undefined);
    if (k < nReq && !optsReq) continue;
    // one signature per keyword name of a parameter with alternatives in the options object
    const withAlts = inOpts.find((p) => p.alts && p.alts.length);
    const names = withAlts ? [{ name: withAlts.name, ts: withAlts.kwTs }, ...withAlts.alts] : [null];
    for (const nm of names) {
      const fields = inOpts.map((p) => (p === withAlts ? `${nm.name}${p.def === undefined ? '' : '?'}: ${nm.ts}` : `${p.name}${p.def === undefined ? '' : '?'}: ${p.alts && p.alts.length ? p.kwTs : p.ts}`)).concat(extra);
      const a = args.slice();
      if (fields.length) a.push(`opts${optsReq ? '' : '?'}: { ${fields.join('; ')} }`);
      out.push(a.join(', '));
    }
  }
  return out;
}

// two overload rows that differ only by a flag's value (nonzero's as_tuple: false / true): the declaration of a call
// whose flag is a boolean known only at run time (`{ asTuple: flag }`): the flag required, either row's result
function flagUnion(group) {
  if (group.length !== 2) return null;
  const [a, b] = group;
  if (a.params.length !== b.params.length || a.params.some((p, i) => p.py !== b.params[i].py || p.kw !== b.params[i].kw)) return null;
  const diff = a.params.map((p, i) => (p.type !== b.params[i].type ? i : -1)).filter((i) => i >= 0);
  if (diff.length !== 1 || ![a.params[diff[0]].type, b.params[diff[0]].type].every((t) => t === 'true' || t === 'false')) return null;
  const params = a.params.map((p, i) => (i === diff[0] ? { ...p, ts: 'boolean', def: undefined } : p));
  // (out= only where both rows take it: nonzero's is the as_tuple=False row's)
  return { ...a, params, ret: a.ret === b.ret ? a.ret : `${a.ret} | ${b.ret}`, out: a.out && b.out };
}

// the declarations of a row whose first parameter is a varargs size (`size: int...`, then keyword-only options):
// zeros(2, 3), zeros(2, 3, opts), zeros([2, 3], opts?), zeros({ size, ...opts }) (lib/ops/args.ts foldVarargs)
function varargsForms(row, extra) {
  if (row.varargsAt === 1) return methodVarargsForms(row, row.params[0], extra);
  const [size, ...kws] = row.params;
  const fields = kws.map((p) => `${p.name}?: ${p.ts}`).concat(extra);
  const opts = `{ ${fields.join('; ')} }`;
  return [`...${size.name}: number[]`, `...args: [...${size.name}: number[], opts: ${opts}]`, `${size.name}: readonly number[], opts?: ${opts}`,
    `opts: { ${[`${size.name}?: ${size.ts}`, ...fields].join('; ')} }`];
}

// the declarations of a row whose varargs size follows its input (`input: Tensor, shape: int...`, then keyword-only
// options): the method's (self: null) x.reshape(2, 3), x.reshape(2, 3, opts), x.reshape([2, 3], opts?),
// x.reshape({ shape, ...opts }); the function's the same after its input (torch.reshape(x, [2, 3]); the options form
// may name the input too)
function methodVarargsForms(row, self, extra) {
  const [, size, ...kws] = row.params;
  const fields = kws.map((p) => `${p.name}${p.def !== undefined ? '?' : ''}: ${p.ts}`).concat(extra);
  const opts = `{ ${fields.join('; ')} }`;
  const pre = self ? `${self.name}: ${self.ts}, ` : '';
  const forms = [`${pre}...${size.name}: number[]`];
  if (kws.length) forms.push(`${pre}...args: [...${size.name}: number[], opts: ${opts}]`);
  forms.push(`${pre}${size.name}: readonly number[]${kws.length ? `, opts?: ${opts}` : ''}`);
  forms.push(`${pre}opts: { ${[`${size.name}: ${size.ts}`, ...fields].join('; ')} }`);
  if (self) forms.push(`opts: { ${[`${self.name}: ${self.ts}`, `${size.name}: ${size.ts}`, ...fields].join('; ')} }`);
  return forms;
}

// out_at=N rows (torch.norm, F.normalize): the function's parameters with out as its N-th positional one (the
// declarations; args.ts positionalOut moves it into the options object at run time)
function withOutAt(row) {
  const ps = row.params.slice();
  ps.splice(row.outAt, 0, { py: 'out', name: 'out', type: 'Tensor?', ts: 'Tensor | null', kw: false, def: 'null', alts: [] });
  return ps;
}

// alpha_first rows (add, sub): the declarations of PyTorch's deprecated (input, alpha: Number, other) form, the
// function's (fn: with input and out=) or the methods' (self bound); other also by name after alpha, as PyTorch's
// add(x, 2, other=y)
function alphaFirstSigs(row, fn) {
  const other = row.params.find((p) => p.py === 'other');
  const input = row.params[0];
  const pre = fn ? `${input.name}: Tensor, ` : '';
  const extra = fn && row.out ? 'out?: Tensor' : '';
  return [`${pre}alpha: number, ${other.name}: ${other.ts}${extra ? `, opts?: { ${extra} }` : ''}`,
    `${pre}alpha: number, opts: { ${[`${other.name}: ${other.ts}`, extra].filter(Boolean).join('; ')} }`];
}

// dtype=factory rows (the creation ops) with out=: PyTorch's factories make their result in out's dtype and on its
// device when the call names neither (torch.arange(5, out=float_tensor) is float)
function factoryOut(row, v, out) {
  if (!row.out || row.dtype !== 'factory') return [];
  const at = (n) => row.params.findIndex((p) => p.py === n);
  const r = [];
  if (at('dtype') >= 0) r.push(`if (${out} && ${v}[${at('dtype')}] === null) ${v}[${at('dtype')}] = ${out}.dtype;`);
  if (at('device') >= 0) r.push(`if (${out} && ${v}[${at('device')}] === null) ${v}[${at('device')}] = ${out}.device;`);
  return r;
}

function specOf(row, params) {
  const T = { bool: 'bool', 'DType?': 'dtype', DType: 'dtype', ints: 'ints', 'ints?': 'ints', Size: 'size', 'Generator?': 'generator', 'int...': 'ints' };
  for (const n of [1, 2, 3]) for (const t of [`int[${n}]`, `int?[${n}]`]) T[t] = T[`${t}?`] = 'ints';
  // the value kinds the parser checks for float, float? and bool? (lib/ops/args.ts ParamKind)
  Object.assign(T, { float: 'float', 'float?': 'float?', 'bool?': 'bool?', floats: 'floats', 'floats?': 'floats' });
  const alt = (p) => (p.alts && p.alts.length ? `, kwt: '${p.kwKind}', alt: [${p.alts.map((a) => `['${a.name}', '${a.kind}']`).join(', ')}]` : '');
  const ps = params.map((p) => `{ name: '${p.name}'${p.kw ? ', kw: true' : ''}${p.def !== undefined ? `, def: ${p.def}` : ''}${T[p.type] ? `, t: '${T[p.type]}'` : ''}${alt(p)} }`);
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
// (the creation ops' layout and pin_memory are not the implementation's: the call checks the layout first
// (checkLayout) and pins the result (pinResult), lib/layout.ts)
const isLayout = (p) => /^Layout\??$/.test(p.type);
const isPin = (p) => p.py === 'pin_memory';
const factoryExtras = (row) => row.params.some((p) => isLayout(p) || isPin(p));
function implCall(row, vals, inplace) {
  const args = row.params.map((p, i) => (isLayout(p) || isPin(p) ? null : `${vals[i]} as ${i === 0 && row.scalarSelf && !inplace ? 'Tensor | number | boolean' : p.ts}`)).filter((a) => a !== null);
  let call;
  if (row.functional) call = `${row.from ? modAlias(row.from) : 'A'}.${row.name}(${args.join(', ')})`;
  else if (row.linalg) call = `LA.${row.name}(${args.join(', ')})`;
  else if (row.via) call = `I.${row.via}${inplace ? '_' : ''}('${row.py}', ${args.join(', ')})`;
  else if (row.impl) call = `I.${row.impl}(${args.join(', ')})`;
  else call = `I.${row.name}${inplace ? '_' : ''}(${args.join(', ')})`;
  const pi = row.params.findIndex(isPin);
  if (pi >= 0) call = `pinResult('${row.py}', ${vals[pi]}, ${call})`;
  const li = row.params.findIndex(isLayout);
  if (li >= 0) call = `(checkLayout('${row.py}', ${vals[li]}), ${call})`;
  return call;
}

function emit(allRows) {
  const rows = allRows.filter((r) => !r.functional && !r.linalg);
  const o = [];
  const decl = [];
  const wire = [];
  o.push(`// GENERATED by scripts/gen-schema.js from lib/ops/ops.schema. Do not edit.`);
  o.push(`// The public entry points of the schema's ops: torch.* functions, Tensor methods and in-place variants, their`);
  o.push(`// declarations, and the specs of the one argument parser (lib/ops/args.ts).`);
  o.push(`import { Tensor } from '../tensor';`);
  o.push(`import type { DTypeName } from '../dtype';`);
  o.push(`import type { Device, DeviceName } from '../device';`);
  o.push(`import type { TensorData } from './creation';`);
  o.push(`import { parseCall, parseOverloads, writeOut, checkScalarSelf, aloneArg, foldVarargs, alphaFirst, positionalOut, OpSpec } from './args';`);
  o.push(`import { inplaceResult } from '../autograd/inplace';`);
  o.push(`import type { ValuesIndices } from './reduce';`);
  o.push(...extraImports(rows));
  if (rows.some(factoryExtras)) o.push(`import { checkLayout, pinResult } from '../layout';`);
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
    // (an int... after the input may be one overload: view(size: int...) / view(dtype: DType); the group's call folds
    // the numbers after the input, which a row without it then refuses by its own checks)
    for (const r of group) if (r.inplace || r.alias.length || r.self || r.varargsAt === 0) throw new Error(`${r.where}: an overloaded row takes no inplace, alias, self= or leading int... yet`);
    const fold = group.some((r) => r.varargsAt === 1);
    // (a flag typed `true` or `false` selects its overload by value: nonzero's as_tuple; args.ts fitsKind; a float
    // parameter is a number: normal(mean: Tensor, std: float) / normal(mean: Tensor, std: Tensor))
    const kinds = (r) => `[${r.params.map((p) => `'${/^Tensor\??$/.test(p.type) ? 'tensor' : /^int\??$/.test(p.type) ? 'int' : /^(true|false)$/.test(p.type) ? p.type : /^float\??$/.test(p.type) ? 'number' : ''}'`).join(', ')}]`;
    o.push(`const O_${id}: readonly [OpSpec, readonly string[]][] = [`);
    group.forEach((r, k) => o.push(`  [${specOf(r, r.params)}, ${kinds(r)}],`));
    o.push(`];`);
    o.push(`function ${id}_call(args: readonly unknown[], method = false): ${[...new Set(group.map((r) => r.ret))].join(' | ')} {`);
    const anyOut = group.some((r) => r.out);
    o.push(`  const { k, v${anyOut ? ', out' : ''} } = parseOverloads(O_${id}, ${fold ? 'foldVarargs(args, 1)' : 'args'}, method);`);
    group.forEach((r, k) => {
      const call = implCall(r, r.params.map((_, i) => `v[${i}]`), false);
      // out=: a row without it refuses it by name (its spec has no out), so `out` is null there
      if (!r.out) { o.push(`  if (k === ${k}) return ${call};`); return; }
      o.push(`  if (k === ${k}) {`);
      for (const l of factoryOut(r, 'v', 'out')) o.push(`    ${l}`);
      o.push(`    return out ? writeOut('${r.py}', out, v, () => ${call}) : ${call};`);
      o.push(`  }`);
    });
    o.push(`  throw new Error('unreachable');`);
    o.push(`}`);
    if (group.some((r) => r.fn)) {
      for (const r of group) for (const sig of r.varargsAt === 1 ? varargsForms(r, []) : overloads(r, r.params, r.out ? ['out?: Tensor'] : [])) o.push(`export function ${id}(${sig}): ${r.ret};`);
      const fu = flagUnion(group);
      if (fu) for (const sig of overloads(fu, fu.params, fu.out ? ['out?: Tensor'] : [])) o.push(`export function ${id}(${sig}): ${fu.ret};`);
      o.push(`export function ${id}(...args: unknown[]): ${[...new Set(group.map((r) => r.ret))].join(' | ')} { return ${id}_call(args); }`);
      if (id !== name) o.push(`export { ${id} as ${name} };`);
    }
    if (group.some((r) => r.method)) {
      for (const r of group) for (const sig of r.varargsAt === 1 ? methodVarargsForms(r, null, []) : overloads(r, r.params.slice(1), [])) decl.push(`    ${name}(${sig}): ${r.ret};`);
      const fu = flagUnion(group);
      if (fu) for (const sig of overloads(fu, fu.params.slice(1), [])) decl.push(`    ${name}(${sig}): ${fu.ret};`);
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
    const argsExpr = row.varargsAt >= 0 ? `foldVarargs(args${row.varargsAt ? `, ${row.varargsAt}` : ''})` : row.alphaFirst ? `alphaFirst('${row.py}', args)`
      : row.outAt !== null ? `method ? args : positionalOut('${row.py}', args, ${row.outAt})` : 'args';
    o.push(`  const { v${row.out ? ', out' : ''} } = parseCall(${spec}, ${argsExpr}, method);`);
    if (row.scalarSelf) o.push(`  if (!method) checkScalarSelf(${spec}, v, '${row.scalarSelf}'${row.out ? ', out' : ''});`);
    for (const l of factoryOut(row, 'v', 'out')) o.push(`  ${l}`);
    if (row.out) {
      o.push(`  if (out) return writeOut('${row.py}', out, v, () => ${implCall(row, vals, false)});`);
    }
    o.push(`  return ${implCall(row, vals, false)};`);
    o.push(`}`);
    if (row.fn) {
      const sigs = row.varargsAt >= 0 ? varargsForms(row, row.out ? ['out?: Tensor'] : []) : row.outAt !== null ? overloads(row, withOutAt(row), [])
        : overloads(row, row.params, row.out ? ['out?: Tensor'] : []);
      for (const sig of sigs) o.push(`export function ${row.name}(${sig}): ${row.ret};`);
      if (row.scalarSelf) {
        // PyTorch's Scalar-self overload (torch.pow(2, x)): a number as the input, with a tensor as the second
        // parameter (scalar_self=any: PyTorch takes numbers for both, as torch.add(2, 3))
        const [p0, p1, ...rest] = row.params;
        const sp = [{ ...p0, ts: 'number | boolean' }, row.scalarSelf === 'any' ? p1 : { ...p1, ts: 'Tensor' }, ...rest];
        for (const sig of overloads(row, sp, row.out && row.scalarSelf !== 'tensor_noout' ? ['out?: Tensor'] : [])) o.push(`export function ${row.name}(${sig}): ${row.ret};`);
      }
      // alpha_first: PyTorch's deprecated add(input, alpha, other) / sub(input, alpha, other) (args.ts alphaFirst)
      if (row.alphaFirst) for (const sig of alphaFirstSigs(row, true)) o.push(`/** @deprecated PyTorch's deprecated form: use ${row.name}(input, other, { alpha }) */\nexport function ${row.name}(${sig}): ${row.ret};`);
      if (row.alone) {
        // alone=f: the function given its first parameter only is another op, impls.ts's f (torch.where(condition) is
        // torch.nonzero(condition, as_tuple=True)), returning a Tensor[]
        const p0 = row.params[0];
        o.push(`export function ${row.name}(${p0.name}: ${p0.ts}): Tensor[];`);
        o.push(`export function ${row.name}(opts: { ${p0.name}: ${p0.ts} }): Tensor[];`);
        o.push(`export function ${row.name}(...args: unknown[]): ${row.ret} | Tensor[] {`);
        o.push(`  const alone = aloneArg(args, '${p0.name}');`);
        o.push(`  return alone === undefined ? ${row.name}_call(args) : I.${row.alone}(alone as ${p0.ts});`);
        o.push(`}`);
      } else o.push(`export function ${row.name}(...args: unknown[]): ${row.ret} { return ${row.name}_call(args); }`);
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
      const msigs = row.varargsAt === 1 ? methodVarargsForms(row, null, []) : overloads(row, mparams, []);
      for (const n of names) for (const sig of msigs) decl.push(`    ${n}(${sig}): ${row.ret};`);
      if (row.alphaFirst) for (const n of names) for (const sig of alphaFirstSigs(row, false)) decl.push(`    /** @deprecated PyTorch's deprecated form: use ${n}(other, { alpha }) */\n    ${n}(${sig}): ${row.ret};`);
      wire.push(`P.${row.name} = function (this: Tensor, ...args: unknown[]): ${row.ret} { return ${row.name}_call([this, ...args], true); };`);
      for (const a of row.alias) wire.push(`P.${camel(a)} = P.${row.name};`);
    }
    if (row.inplace) {
      const ispec = `S_${row.name}_`;
      o.push(`const ${ispec}: OpSpec = ${specOf({ ...row, py: row.py + '_', out: false }, row.params)};`);
      const mparams = row.params.slice(1);
      for (const n of names) for (const sig of overloads(row, mparams, [])) decl.push(`    ${n}_(${sig}): Tensor;`);
      if (row.alphaFirst) for (const n of names) for (const sig of alphaFirstSigs(row, false)) decl.push(`    /** @deprecated PyTorch's deprecated form: use ${n}_(other, { alpha }) */\n    ${n}_(${sig}): Tensor;`);
      const ivals = ['self', ...row.params.slice(1).map((_, i) => `v[${i + 1}]`)];
      const body = row.kernelInplace
        ? `return ${implCall(row, ivals, true)};`
        : `return inplaceResult(self, '${row.py}_', (src) => ${implCall(row, ['src', ...ivals.slice(1)], false)}, v);`;
      const iargs = row.alphaFirst ? `alphaFirst('${row.py}_', [self, ...args])` : '[self, ...args]';
      wire.push(`P.${row.name}_ = function (this: Tensor, ...args: unknown[]): Tensor { const self = this; const { v } = parseCall(${ispec}, ${iargs}, true); ${body} };`);
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
    const vs = [r.functional ? 'functional' : r.linalg ? 'linalg' : r.fn && 'function', r.method && 'method', r.inplace && 'inplace', r.out && 'out'].filter(Boolean);
    o.push(`  { op: '${r.functional ? 'F.' : r.linalg ? 'linalg.' : ''}${r.py}', name: '${r.name}', variants: [${vs.map((v) => `'${v}'`).join(', ')}], dtype: ${r.dtype ? `'${r.dtype}'` : 'null'}, grad: ${r.grad ? `'${r.grad}'` : 'null'}, autocast: ${r.autocast ? `'${r.autocast}'` : 'null'} },`);
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
  o.push(`import { parseCall, positionalOut, writeOut, OpSpec } from './args';`);
  o.push(`import * as A from '../nn/activation_impl';`);
  for (const f of [...new Set(allRows.filter((r) => r.functional && r.from).map((r) => r.from))]) o.push(`import * as ${modAlias(f)} from '../nn/${f}';`);
  o.push(``);
  for (const row of allRows.filter((r) => r.functional)) {
    const spec = `S_${row.name}`;
    o.push(`const ${spec}: OpSpec = ${specOf(row, row.params)};`);
    if (row.flag) for (const sig of flagSigs(row, row.params, [])) o.push(`export function ${row.name}${sig};`);
    else for (const sig of row.outAt !== null ? overloads(row, withOutAt(row), []) : overloads(row, row.params, row.out ? ['out?: Tensor'] : [])) o.push(`export function ${row.name}(${sig}): ${row.ret};`);
    o.push(`export function ${row.name}(...args: unknown[]): ${row.ret} {`);
    o.push(`  const { v${row.out ? ', out' : ''} } = parseCall(${spec}, ${row.outAt !== null ? `positionalOut('${row.py}', args, ${row.outAt})` : 'args'});`);
    const call = implCall(row, row.params.map((_, i) => `v[${i}]`), false);
    if (row.out) o.push(`  if (out) return writeOut('${row.py}', out, v, () => ${call});`);
    o.push(`  return ${call};`);
    o.push(`}`);
  }
  o.push(``);
  return o.join('\n');
}

// the linalg. rows: torch.linalg's functions (lib/linalg_api.ts re-exports them as the torch.linalg namespace)
function emitLinalg(allRows) {
  const rows = allRows.filter((r) => r.linalg);
  const o = [];
  o.push(`// GENERATED by scripts/gen-schema.js from lib/ops/ops.schema (its linalg. rows). Do not edit.`);
  o.push(`// torch.linalg's schema functions (exported by lib/linalg_api.ts as torch.linalg); implementations: lib/linalg.ts.`);
  o.push(`import type { Tensor } from '../tensor';`);
  o.push(`import type { DTypeName } from '../dtype';`);
  o.push(`import { parseCall, OpSpec } from './args';`);
  o.push(`import * as LA from '../linalg';`);
  const named = [...new Set(rows.map((r) => r.retName).filter((n) => ['Slogdet', 'QR', 'Eigh', 'SVD', 'Lstsq'].includes(n)))].sort();
  if (named.length) o.push(`import type { ${named.join(', ')} } from '../linalg';`);
  o.push(``);
  for (const row of rows) {
    const spec = `S_${row.name}`;
    o.push(`const ${spec}: OpSpec = ${specOf(row, row.params).replace(`'${row.py}'`, `'linalg.${row.py}'`)};`);
    for (const sig of overloads(row, row.params, [])) o.push(`export function ${row.name}(${sig}): ${row.ret};`);
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
  for (const [dst, src] of [[DST, emit(rows)], [DST_F, emitFunctional(rows)], [DST_L, emitLinalg(rows)]]) {
    const cur = fs.existsSync(dst) ? fs.readFileSync(dst, 'utf8') : '';
    if (process.argv.includes('--check')) {
      if (cur !== src) { console.error(`${path.relative(root, dst)} is out of date: run node scripts/gen-schema.js`); process.exit(1); }
    } else if (cur !== src) fs.writeFileSync(dst, src);
  }
}
if (require.main === module) main();
module.exports = { parseSchema };
