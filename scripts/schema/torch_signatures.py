#!/usr/bin/env python3
# torch_signatures.py - PyTorch 1.13's own parameter lists for every public nodetorch name, for the keyword audit
# (test/keyword_audit.test.ts): torch.* functions, Tensor methods, torch.nn.functional and torch.linalg functions.
#
# nodetorch's names are enumerated from its build (dist/, `npx tsc -p tsconfig.json` first) by running node; each
# camelCase name is mapped to PyTorch's snake_case name (logSoftmax -> log_softmax, var_ -> var, indexPut_ ->
# index_put_) and looked up in PyTorch:
#   - Python-level functions (torch.functional.*, torch._tensor.Tensor.*, torch.nn.functional.*): inspect.signature;
#   - native functions and methods: the aten schemas, torch._C._jit_get_schemas_for_operator('aten::name'): every
#     overload except the out= forms (their `out` is recorded as a keyword of the base overload) and the named-tensor
#     (Dimname) forms, with each parameter's schema type, default and keyword-only flag; the Python binding calls the
#     schema's `self` `input` in torch.* functions, and adds `requires_grad` to the factory functions;
#   - a few built-ins that have neither (torch.tensor, Tensor.to/type/cuda ..., written in C++ by hand in PyTorch):
#     the MANUAL table below, transcribed from PyTorch's documentation of them.
# Names with no PyTorch counterpart are listed under "unmatched" (the test lists them explicitly, each with a reason).
#
# Run: npx tsc -p tsconfig.json && /usr/bin/python3 scripts/schema/torch_signatures.py > test/ref/torch_signatures.json
import inspect
import json
import os
import re
import subprocess
import sys

import torch
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')

LIST_JS = r"""
const t = require(process.argv[1]);
const fns = Object.keys(t).filter((k) => typeof t[k] === 'function' && !/^[A-Z]/.test(k));
const P = t.Tensor.prototype;
const ms = Object.getOwnPropertyNames(P).filter((k) => {
  const d = Object.getOwnPropertyDescriptor(P, k);
  return typeof d.value === 'function' && k !== 'constructor' && !k.startsWith('_');
});
const F = t.nn.functional;
const fs = Object.keys(F).filter((k) => typeof F[k] === 'function' && !/^[A-Z]/.test(k));
const LA = t.linalg;
const la = Object.keys(LA).filter((k) => typeof LA[k] === 'function');
console.log(JSON.stringify({ functions: fns.sort(), methods: ms.sort(), functional: fs.sort(), linalg: la.sort() }));
"""


def nodetorch_names():
    out = subprocess.check_output(['node', '-e', LIST_JS, os.path.join(ROOT, 'dist', 'index.js')])
    return json.loads(out)


def snake(name):
    s = re.sub(r'(?<=[a-z0-9])([A-Z])', r'_\1', name).lower()
    if s.endswith('__'):
        s = s[:-1]
    if s in ('var_',):  # `var` is a reserved word in JavaScript: torch.var_ is torch.var
        s = s[:-1]
    s = re.sub(r'^atleast(\d)d$', r'atleast_\1d', s)  # atleast1d -> atleast_1d (a digit after the underscore)
    return s


# ---- aten schemas ---------------------------------------------------------------------------------------------------
def split_args(text):
    parts, depth, cur = [], 0, ''
    for ch in text:
        if ch in '([':
            depth += 1
        elif ch in ')]':
            depth -= 1
        if ch == ',' and depth == 0:
            parts.append(cur.strip())
            cur = ''
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


def parse_schema_text(s):
    m = re.match(r'^aten::(\w+)(?:\.(\w+))?\((.*)\) -> (.*)$', s)
    name, overload, args, ret = m.group(1), m.group(2) or '', m.group(3), m.group(4)
    params, kw = [], False
    for a in split_args(args):
        if a == '*':
            kw = True
            continue
        am = re.match(r'^(.+?) (\w+)(?:=(.*))?$', a)
        typ, pname, default = am.group(1), am.group(2), am.group(3)
        write = '!' in typ
        typ = re.sub(r'\([a-z!|\->\s*]*\)', '', typ).replace('SymInt', 'int')
        p = {'name': pname, 'type': typ, 'kw': kw}
        if default is not None:
            p['default'] = default
        if write:
            p['write'] = True
        params.append(p)
    return name, overload, params, ret


# TorchScript-only overloads of Python's ops (list and scalar forms the Python binding does not have)
DROP = {'copy_': ('Tensor', 'int', 'float'), 'eq': ('Tensor_list',), 'ne': ('Tensor_list',)}
FACTORY_KW = ('dtype', 'layout', 'device', 'pin_memory')


def aten_overloads(name, method):
    res = []
    for s in torch._C._jit_get_schemas_for_operator('aten::' + name):
        _, overload, params, ret = parse_schema_text(str(s))
        if 'name' in overload or 'Dimname' in overload or any(p['name'] == 'names' for p in params):
            continue  # named tensors (the schemas print Dimname as str): nodetorch has none
        if not any(p['type'].startswith('Tensor') for p in params) and not all(k in [p['name'] for p in params] for k in FACTORY_KW):
            continue  # TorchScript's builtins on Python lists and scalars (aten::sum.int(int[] self))
        outs = [p for p in params if p.get('write') and p['kw']]
        if outs:
            continue  # the out= form: its `out` is a keyword of the base overload
        if 'Generator' in ret or overload.startswith('_'):
            continue
        if overload in DROP.get(name, ()) or any(p['name'] == 'self' and p['type'] == 'Tensor[]' for p in params):
            continue  # TorchScript's list forms, not Python's
        if method:
            selfs = [i for i, p in enumerate(params) if p['name'] == 'self' and p['type'] == 'Tensor']
            if not selfs:
                continue
            params = params[:selfs[0]] + params[selfs[0] + 1:]  # where(condition, self, other): x.where(condition, other)
        else:
            for p in params:
                if p['name'] == 'self':
                    p['name'] = 'input'
            names = {p['name'] for p in params}
            if all(k in names for k in FACTORY_KW):
                params.append({'name': 'requires_grad', 'type': 'bool', 'kw': True, 'default': 'False', 'binding': True})
        for p in params:
            p.pop('write', None)
        has_out = any(str(o).startswith('aten::%s.' % name) and '(a!) out' in str(o) and
                      [q['name'] for q in parse_schema_text(str(o))[2] if not q['kw']] ==
                      [q['name'] for q in parse_schema_text(str(s))[2] if not q['kw']]
                      for o in torch._C._jit_get_schemas_for_operator('aten::' + name))
        entry = {'overload': overload, 'params': params}
        if has_out and not method:
            entry['out'] = True
        res.append(entry)
    return res


# ---- Python-level functions -------------------------------------------------------------------------------------------
def py_params(fn, method):
    sig = inspect.signature(fn)
    params = []
    for i, (pname, p) in enumerate(sig.parameters.items()):
        if method and i == 0:
            continue  # self
        if p.kind == p.VAR_KEYWORD:
            continue
        if p.kind == p.VAR_POSITIONAL:
            params.append({'name': pname, 'type': 'varargs', 'kw': False})
            continue
        q = {'name': pname, 'type': 'py', 'kw': p.kind == p.KEYWORD_ONLY}
        if p.default is not p.empty:
            q['default'] = repr(p.default)
        params.append(q)
    return [{'overload': '', 'params': params}]


# torch.nn.functional's boolean_dispatch wrappers (max_pool2d, ...) show (*args, **kwargs): their targets' parameters
def unwrap_functional(fn, name):
    for cand in ('_' + name, name + '_with_indices'):
        g = getattr(F, cand, None)
        if g is not None and inspect.isfunction(g):
            return g
    return fn


# ---- built-ins with no aten schema and no Python signature: PyTorch's documented signatures --------------------------
def P(name, typ, kw=False, default=None):
    p = {'name': name, 'type': typ, 'kw': kw}
    if default is not None:
        p['default'] = default
    return p


MANUAL = {
    ('functions', 'tensor'): [[P('data', 'data'), P('dtype', 'ScalarType?', True, 'None'), P('device', 'Device?', True, 'None'),
                               P('requires_grad', 'bool', True, 'False'), P('pin_memory', 'bool', True, 'False')]],
    ('functions', 'as_tensor'): [[P('data', 'data'), P('dtype', 'ScalarType?', False, 'None'), P('device', 'Device?', False, 'None')]],
    # (torch.asarray: a C++ builtin, documented as asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False))
    ('functions', 'asarray'): [[P('obj', 'data'), P('dtype', 'ScalarType?', True, 'None'), P('device', 'Device?', True, 'None'),
                                P('copy', 'bool?', True, 'None'), P('requires_grad', 'bool', True, 'False')]],
    ('functions', 'frombuffer'): [[P('buffer', 'buffer'), P('dtype', 'ScalarType', True), P('count', 'int', True, '-1'),
                                   P('offset', 'int', True, '0'), P('requires_grad', 'bool', True, 'False')]],
    ('methods', 'to'): [[P('dtype', 'ScalarType'), P('non_blocking', 'bool', False, 'False'), P('copy', 'bool', False, 'False'),
                         P('memory_format', 'MemoryFormat?', True, 'None')],
                        [P('device', 'Device?', False, 'None'), P('dtype', 'ScalarType?', False, 'None'), P('non_blocking', 'bool', False, 'False'),
                         P('copy', 'bool', False, 'False'), P('memory_format', 'MemoryFormat?', True, 'None')],
                        [P('other', 'Tensor'), P('non_blocking', 'bool', False, 'False'), P('copy', 'bool', False, 'False'),
                         P('memory_format', 'MemoryFormat?', True, 'None')]],
    ('methods', 'type'): [[P('dtype', 'ScalarType?', False, 'None'), P('non_blocking', 'bool', False, 'False')]],
    ('methods', 'cuda'): [[P('device', 'Device?', False, 'None'), P('non_blocking', 'bool', False, 'False'),
                           P('memory_format', 'MemoryFormat?', True, 'None')]],
    ('methods', 'cpu'): [[P('memory_format', 'MemoryFormat?', True, 'None')]],
    ('methods', 'tolist'): [[]],
    ('methods', 'numpy'): [[P('force', 'bool', True, 'False')]],
    ('methods', 'element_size'): [[]],
    ('methods', 'data_ptr'): [[]],
    ('methods', 'dim'): [[]],
    ('methods', 'nelement'): [[]],
    ('methods', 'requires_grad_'): [[P('requires_grad', 'bool', False, 'True')]],
    ('methods', 'size'): [[P('dim', 'int?', False, 'None')]],
    ('methods', 'stride'): [[P('dim', 'int?', False, 'None')]],
    ('methods', 'is_contiguous'): [[P('memory_format', 'MemoryFormat', True, 'contiguous_format')]],
}
for n in ('float', 'double', 'half', 'bfloat16', 'long', 'int', 'short', 'char', 'byte', 'bool'):
    MANUAL[('methods', n)] = [[P('memory_format', 'MemoryFormat', True, 'preserve_format')]]


def lookup(kind, py):
    if (kind, py) in MANUAL:
        return 'manual', [{'overload': str(i) if i else '', 'params': ps} for i, ps in enumerate(MANUAL[(kind, py)])]
    if kind == 'functional':
        fn = getattr(F, py, None)
        if fn is None:
            return None, None
        if inspect.isfunction(fn):
            fn = unwrap_functional(fn, py)
            return 'inspect', py_params(fn, False)
        ovs = aten_overloads(py, False)
        return ('aten', ovs) if ovs else (None, None)
    if kind == 'linalg':
        # torch.linalg's functions: builtins over the aten linalg_* schemas
        if getattr(torch.linalg, py, None) is None:
            return None, None
        ovs = aten_overloads('linalg_' + py, False)
        return ('aten', ovs) if ovs else ('builtin', None)
    if kind == 'functions':
        fn = getattr(torch, py, None)
        if fn is None:
            return None, None
        if inspect.isfunction(fn):
            return 'inspect', py_params(fn, False)
        ovs = aten_overloads(py, False)
        return ('aten', ovs) if ovs else ('builtin', None)
    fn = getattr(torch.Tensor, py, None)
    if fn is None:
        return None, None
    if inspect.isfunction(fn):
        return 'inspect', py_params(fn, True)
    ovs = aten_overloads(py, True)
    return ('aten', ovs) if ovs else ('builtin', None)


def main():
    names = nodetorch_names()
    out = {'torch': torch.__version__.split('+')[0], 'functions': {}, 'methods': {}, 'functional': {}, 'linalg': {}, 'unmatched': {}}
    for kind in ('functions', 'methods', 'functional', 'linalg'):
        unmatched = []
        for js in names[kind]:
            py = snake(js)
            source, ovs = lookup(kind, py)
            if ovs is None:
                unmatched.append(js)
                continue
            out[kind][js] = {'py': py, 'source': source, 'overloads': ovs}
        out['unmatched'][kind] = unmatched
    # one op per line: small diffs when PyTorch or nodetorch changes
    lines = ['{', '  "torch": %s,' % json.dumps(out['torch'])]
    for kind in ('functions', 'methods', 'functional', 'linalg'):
        lines.append('  "%s": {' % kind)
        items = list(out[kind].items())
        for i, (k, v) in enumerate(items):
            lines.append('    %s: %s%s' % (json.dumps(k), json.dumps(v, separators=(',', ':')), ',' if i + 1 < len(items) else ''))
        lines.append('  },')
    lines.append('  "unmatched": %s' % json.dumps(out['unmatched']))
    lines.append('}')
    sys.stdout.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
