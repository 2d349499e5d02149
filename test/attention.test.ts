// attention.test.ts - torch.nn.functional's attention forms with PyTorch's parameter lists (ops.schema's attention
// rows) and nn.MultiheadAttention / nn.TransformerEncoderLayer, against PyTorch 1.13 (test/ref/attention.json, written
// by test/ref/gen_attention.py): multi_head_attention_forward's every branch (values and gradients) and its messages;
// scaled_dot_product_attention (PyTorch 2.x's API: the fixture computes its documented formula in 1.13); the modules'
// constructor options and forward arguments, positionally and by keyword. Dropout (nodetorch's own random stream) is
// checked by what it must do: each weight dropped or scaled by 1/(1-p), reproducible under manualSeed.
import * as fs from 'fs';
import * as path from 'path';
import * as torch from '../lib';
import { TorchError } from '../lib/errors';

type T = torch.Tensor;
const F = torch.nn.functional;
const nn = torch.nn;
interface Enc { shape: number[]; dtype: 'float64' | 'bool' | 'uint8'; data: (number | string | boolean)[] }
type Arg = Enc | { ref: string } | number | boolean | null;
interface MhaCase {
  selfAttn: boolean; sameKv: boolean; query: Enc; key: Enc | null; value: Enc | null; args: Record<string, Arg>;
  out: Enc; weights: Enc | null; wo: Enc; ww: Enc | null; grads: Record<string, Enc | null>;
}
interface SdpaCase { q: Enc; k: Enc; v: Enc; attnMask: Enc | null; isCausal: boolean; scale: number | null; out: Enc; wo: Enc; gq: Enc; gk: Enc; gv: Enc }
interface ModuleCase {
  ctor: Record<string, unknown>; state: Record<string, Enc>; inputs: Record<string, Enc>;
  calls: Record<string, { out: Enc; weights: Enc | null; wo: Enc; grads: Enc[] }>;
}
const REF = JSON.parse(fs.readFileSync(path.join(__dirname, 'ref/attention.json'), 'utf8')) as {
  shared: Record<string, Enc>; mha: Record<string, MhaCase>; mha_errors: Record<string, string>; sdpa: Record<string, SdpaCase>; modules: Record<string, ModuleCase>;
};

const num = (v: number | string | boolean): number => (typeof v === 'number' ? v : v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number(v));
function dec(e: Enc): T {
  if (e.dtype === 'bool') return torch.tensor(e.data as boolean[], { dtype: 'bool' }).reshape(e.shape);
  if (e.dtype === 'uint8') return torch.tensor(e.data as number[], { dtype: 'uint8' }).reshape(e.shape);
  return torch.tensor(e.data.map(num), { dtype: 'float64' }).reshape(e.shape);
}
/** the largest relative difference (NaN only where PyTorch has NaN, equal infinities) is under tol */
function close(got: T | null | undefined, want: Enc | null, what: string, tol = 1e-8): void {
  if (want === null) { expect([what, got]).toEqual([what, null]); return; }
  expect(got).toBeInstanceOf(torch.Tensor);
  const g = got as T;
  expect([what, g.shape]).toEqual([what, want.shape]);
  const vals = g.to('float64').reshape([-1]).tolist() as number[];
  let worst = 0;
  vals.forEach((v, i) => {
    const w = num(want.data[i]);
    const d = Number.isNaN(w) || Number.isNaN(v) ? (Number.isNaN(w) && Number.isNaN(v) ? 0 : Infinity) : v === w ? 0 : Math.abs(v - w) / (1 + Math.abs(w));
    worst = Math.max(worst, d);
  });
  expect([what, worst < tol ? 0 : worst]).toEqual([what, 0]);
}
const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

// PyTorch 1.13's order of multi_head_attention_forward's parameters
const MHA_PARAMS = ['query', 'key', 'value', 'embed_dim_to_check', 'num_heads', 'in_proj_weight', 'in_proj_bias', 'bias_k', 'bias_v',
  'add_zero_attn', 'dropout_p', 'out_proj_weight', 'out_proj_bias', 'training', 'key_padding_mask', 'need_weights', 'attn_mask',
  'use_separate_proj_weight', 'q_proj_weight', 'k_proj_weight', 'v_proj_weight', 'static_k', 'static_v', 'average_attn_weights'];
const MHA_DEFAULTS: Record<string, unknown> = {
  training: true, key_padding_mask: null, need_weights: true, attn_mask: null, use_separate_proj_weight: false,
  q_proj_weight: null, k_proj_weight: null, v_proj_weight: null, static_k: null, static_v: null, average_attn_weights: true,
};
type MhaFn = (...a: unknown[]) => [T, T | null];
const mhaF = F.multiHeadAttentionForward as unknown as MhaFn;

/** the case's arguments as tensors (the float ones leaves that require grad), by PyTorch's names */
function mhaArgs(c: MhaCase, grad: boolean): { vals: Record<string, unknown>; leaves: Record<string, T> } {
  const leaves: Record<string, T> = {};
  const vals: Record<string, unknown> = {};
  const q = dec(c.query).requiresGrad_(grad);
  leaves.query = q;
  let k: T, v: T;
  if (c.selfAttn) { k = q; v = q; } else {
    k = dec(c.key as Enc).requiresGrad_(grad);
    leaves.key = k;
    if (c.sameKv) v = k; else { v = dec(c.value as Enc).requiresGrad_(grad); leaves.value = v; }
  }
  Object.assign(vals, { query: q, key: k, value: v });
  for (const [n, a] of Object.entries(c.args)) {
    if (a !== null && typeof a === 'object') {
      const e = 'ref' in a ? REF.shared[a.ref] : a;
      const t = dec(e);
      if (e.dtype === 'float64' && n !== 'attn_mask' && n !== 'key_padding_mask') { t.requiresGrad_(grad); leaves[n] = t; }
      vals[n] = t;
    } else vals[n] = a;
  }
  return { vals, leaves };
}
function checkMha(name: string, c: MhaCase, o: T, w: T | null, leaves: Record<string, T>): void {
  close(o, c.out, `${name} out`);
  close(w, c.weights, `${name} weights`);
  let loss = o.mul(dec(c.wo)).sum();
  if (w && c.ww) loss = loss.add(w.mul(dec(c.ww)).sum());
  loss.backward();
  for (const [n, g] of Object.entries(c.grads)) close(leaves[n].grad ?? null, g, `${name} grad ${n}`);
}

describe('F.multiHeadAttentionForward: PyTorch 1.13 values and gradients', () => {
  for (const [name, c] of Object.entries(REF.mha)) {
    test(`${name}: positional (PyTorch's 24 positions)`, () => {
      const { vals, leaves } = mhaArgs(c, true);
      const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      try {
        const [o, w] = mhaF(...MHA_PARAMS.map((p) => (p in vals ? vals[p] : MHA_DEFAULTS[p])));
        checkMha(name, c, o, w, leaves);
        if (name === 'byte_mask') expect(warn).toHaveBeenCalledWith('Byte tensor for attn_mask in nn.MultiheadAttention is deprecated. Use bool tensor instead.', 'UserWarning');
      } finally { warn.mockRestore(); }
    });
    test(`${name}: by keyword (everything after value in the options object)`, () => {
      const { vals, leaves } = mhaArgs(c, true);
      const opts: Record<string, unknown> = {};
      for (const [n, v] of Object.entries(vals)) if (!['query', 'key', 'value'].includes(n)) opts[camel(n)] = v;
      const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      try {
        const [o, w] = mhaF(vals.query, vals.key, vals.value, opts);
        checkMha(name, c, o, w, leaves);
      } finally { warn.mockRestore(); }
    });
  }
  test('the required parameters by keyword, the optional ones positionally after them left out', () => {
    const c = REF.mha.bias_kv_float_mask_kpm;
    const { vals } = mhaArgs(c, false);
    // everything by name, query included
    const all: Record<string, unknown> = {};
    for (const [n, v] of Object.entries(vals)) all[camel(n)] = v;
    const [o, w] = mhaF(all);
    close(o, c.out, 'all by keyword'); close(w, c.weights, 'all by keyword weights');
    // the first 13 positionally, then only attnMask and keyPaddingMask by name
    const pos = MHA_PARAMS.slice(0, 13).map((p) => vals[p]);
    const [o2] = mhaF(...pos, { attnMask: vals.attn_mask, keyPaddingMask: vals.key_padding_mask });
    close(o2, c.out, 'masks by keyword');
  });
  test('parser errors name the op: a missing required argument, an unknown keyword, a duplicate', () => {
    const { vals } = mhaArgs(REF.mha.qkv_distinct, false);
    const pos = MHA_PARAMS.slice(0, 13).map((p) => vals[p]);
    expect(() => mhaF(...pos.slice(0, 12))).toThrow(/multi_head_attention_forward\(\).*out_?[pP]roj_?[bB]ias/);
    expect(() => mhaF(...pos, { needWeight: false })).toThrow(/multi_head_attention_forward\(\): unexpected option 'needWeight'/);
    expect(() => mhaF(...pos, true, { training: false })).toThrow(/multi_head_attention_forward\(\): got multiple values for argument 'training'/);
    expect(() => mhaF(...pos.slice(0, 9), 'no', ...pos.slice(10))).toThrow(/add_?[zZ]ero_?[aA]ttn/);
  });
});

describe("F.multiHeadAttentionForward: PyTorch 1.13's messages for bad shapes and dtypes", () => {
  const base = (): Record<string, unknown> => mhaArgs(REF.mha.qkv_distinct, false).vals;
  const u = (): Record<string, unknown> => mhaArgs(REF.mha.unbatched_masks, false).vals;
  const call = (v: Record<string, unknown>, over: Record<string, unknown> = {}): unknown => {
    const all = { ...v, ...over };
    return mhaF(...MHA_PARAMS.map((p) => (p in all ? all[p] : MHA_DEFAULTS[p])));
  };
  const r = (...s: number[]): T => torch.randn(s, { dtype: 'float64' });
  const W = (): T => dec(REF.shared.W);
  const cases: Record<string, () => unknown> = {
    query_4d: () => { const b = base(); return call(b, { query: (b.query as T).unsqueeze(0) }); },
    batched_key_2d: () => call(base(), { key: u().key }),
    batched_kpm_1d: () => call(base(), { key_padding_mask: torch.zeros([4], { dtype: 'bool' }) }),
    batched_mask_4d: () => call(base(), { attn_mask: torch.zeros([1, 1, 3, 4]) }),
    unbatched_key_3d: () => call(u(), { key: base().key, attn_mask: null, key_padding_mask: null }),
    unbatched_kpm_2d: () => call(u(), { key_padding_mask: torch.zeros([1, 4], { dtype: 'bool' }), attn_mask: null }),
    unbatched_mask3d_shape: () => call(u(), { attn_mask: torch.zeros([3, 3, 4], { dtype: 'float64' }), key_padding_mask: null }),
    embed_dim_check: () => call(base(), { embed_dim_to_check: 8 }),
    not_divisible: () => call(base(), { num_heads: 4 }),
    kv_shape: () => call(base(), { value: r(5, 2, 6) }),
    kv_seq_batch_separate: () => call(base(), { value: r(5, 2, 6), use_separate_proj_weight: true, q_proj_weight: W().narrow(0, 0, 6), k_proj_weight: W().narrow(0, 0, 6), v_proj_weight: W().narrow(0, 0, 6) }),
    in_proj_none: () => call(base(), { in_proj_weight: null }),
    q_proj_none: () => call(base(), { use_separate_proj_weight: true }),
    k_proj_shape: () => call(base(), { use_separate_proj_weight: true, q_proj_weight: r(6, 6), k_proj_weight: r(6, 5), v_proj_weight: r(6, 6) }),
    mask2d_shape: () => call(base(), { attn_mask: torch.zeros([3, 5], { dtype: 'float64' }) }),
    mask3d_shape: () => call(base(), { attn_mask: torch.zeros([2, 3, 4], { dtype: 'float64' }) }),
    mask_int: () => call(base(), { attn_mask: torch.zeros([3, 4], { dtype: 'int64' }) }),
    kpm_int: () => call(base(), { key_padding_mask: torch.zeros([2, 4], { dtype: 'int64' }) }),
    kpm_shape: () => call(base(), { key_padding_mask: torch.zeros([2, 5], { dtype: 'bool' }) }),
    static_k_size0: () => call(base(), { static_k: r(2, 5, 3) }),
    static_v_size2: () => call(base(), { static_k: r(4, 5, 3), static_v: r(4, 5, 4) }),
    bias_static: () => call(base(), { bias_k: r(1, 1, 6), bias_v: r(1, 1, 6), static_k: r(4, 5, 3) }),
  };
  test('every error case of the fixture is called here', () => expect(Object.keys(cases).sort()).toEqual(Object.keys(REF.mha_errors).sort()));
  for (const [name, msg] of Object.entries(REF.mha_errors)) {
    test(name, () => {
      let err: unknown = null;
      try { cases[name](); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(TorchError);
      expect((err as Error).message).toBe(msg);
    });
  }
  test("a float mask of another dtype is taken in the query's dtype (PyTorch's baddbmm)", () => {
    const c = REF.mha.float_kpm;
    const { vals } = mhaArgs(c, false);
    const f32 = (t: unknown): unknown => (t instanceof torch.Tensor && t.dtype === 'float64' ? t.float() : t);
    const v32: Record<string, unknown> = {};
    for (const [n, v] of Object.entries(vals)) v32[n] = n === 'key_padding_mask' ? v : f32(v);
    const [o] = call(v32);
    expect(o.dtype).toBe('float32');
    const [o64] = call({ ...v32, key_padding_mask: (vals.key_padding_mask as T).float() });
    expect(o.sub(o64).abs().max().item()).toBeLessThan(1e-6);
  });
  test('a non-tensor where a tensor goes is a TypeError naming the op and the parameter', () => {
    expect(() => call(base(), { out_proj_weight: [[1]] })).toThrow(/multi_head_attention_forward\(\): argument 'out_proj_weight' must be Tensor/);
    expect(() => call(base(), { attn_mask: 3 })).toThrow(/multi_head_attention_forward\(\): argument 'attn_mask' must be Tensor or None/);
  });
});

describe('F.multiHeadAttentionForward: dropout in training', () => {
  test('each weight is dropped or scaled by 1/(1-p); the output is the dropped weights times the values; reproducible', () => {
    const c = REF.mha.qkv_distinct;
    const { vals } = mhaArgs(c, false);
    const run = (p: number, training: boolean): [T, T | null] => mhaF(...MHA_PARAMS.map((n) => (n === 'dropout_p' ? p : n === 'training' ? training : n === 'average_attn_weights' ? false : n in vals ? vals[n] : MHA_DEFAULTS[n])));
    const [, w0] = run(0, true);
    torch.manualSeed(5);
    const [o1, w1] = run(0.5, true);
    torch.manualSeed(5);
    const [o2, w2] = run(0.5, true);
    expect((o1.sub(o2).abs().max().item() as number)).toBe(0);
    expect((w1 as T).sub(w2 as T).abs().max().item()).toBe(0);
    const a = (w0 as T).reshape([-1]).tolist() as number[], b = (w1 as T).reshape([-1]).tolist() as number[];
    let dropped = 0;
    b.forEach((v, i) => { if (v === 0) dropped++; else expect(Math.abs(v - 2 * a[i])).toBeLessThan(1e-12); });
    expect(dropped).toBeGreaterThan(a.length * 0.2);
    expect(dropped).toBeLessThan(a.length * 0.8);
    // not in training: no dropout, whatever dropout_p
    const [o3] = run(0.5, false);
    close(o3, c.out, 'eval');
  });
});

describe('F.scaledDotProductAttention (PyTorch 2.x API): values and gradients vs the formula in PyTorch 1.13', () => {
  type SdpaFn = (...a: unknown[]) => T;
  const sdpa = F.scaledDotProductAttention as unknown as SdpaFn;
  for (const [name, c] of Object.entries(REF.sdpa)) {
    test(name, () => {
      for (const form of ['positional', 'keyword']) {
        const q = dec(c.q).requiresGrad_(true), k = dec(c.k).requiresGrad_(true), v = dec(c.v).requiresGrad_(true);
        const m = c.attnMask ? dec(c.attnMask) : null;
        const o = form === 'positional'
          ? sdpa(q, k, v, m, 0, c.isCausal, ...(c.scale === null ? [] : [{ scale: c.scale }]))
          : sdpa(q, { key: k, value: v, ...(m ? { attnMask: m } : {}), ...(c.isCausal ? { isCausal: true } : {}), ...(c.scale === null ? {} : { scale: c.scale }) });
        close(o, c.out, `${name} ${form} out`);
        o.mul(dec(c.wo)).sum().backward();
        close(q.grad, c.gq, `${name} gq`); close(k.grad, c.gk, `${name} gk`); close(v.grad, c.gv, `${name} gv`);
      }
    });
  }
  test('defaults: no mask, no dropout, not causal, scale 1/sqrt(E)', () => {
    const c = REF.sdpa.plain_3d;
    const o = F.scaledDotProductAttention(dec(c.q), dec(c.k), dec(c.v));
    close(o, c.out, 'defaults');
    const q = dec(c.q), k = dec(c.k), v = dec(c.v);
    close(F.scaledDotProductAttention(q, k, v, null, 0, false, { scale: 1 / Math.sqrt(4) }), c.out, 'explicit scale');
  });
  test("is_causal with an attn_mask is an error; the inputs' dtypes must agree", () => {
    const c = REF.sdpa.bool_mask;
    expect(() => F.scaledDotProductAttention(dec(c.q), dec(c.k), dec(c.v), dec(c.attnMask as Enc), 0, true))
      .toThrow('_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True');
    expect(() => F.scaledDotProductAttention(dec(c.q).float(), dec(c.k), dec(c.v)))
      .toThrow('Expected query, key, and value to have the same dtype, but got query.dtype: float32 key.dtype: float64 and value.dtype: float64 instead.');
    expect(() => F.scaledDotProductAttention(dec(c.q), dec(c.k), dec(c.v), { isCasual: true } as never)).toThrow(/scaled_dot_product_attention\(\): unexpected option 'isCasual'/);
    expect(() => F.scaledDotProductAttention(dec(c.q).float(), dec(c.k).float(), dec(c.v).float(), torch.zeros([3, 5], { dtype: 'float64' })))
      .toThrow('Expected attn_mask dtype to be bool or float or to match query dtype, but got attn_mask.dtype: float64 and query.dtype: float32 instead.');
    const f32 = F.scaledDotProductAttention(dec(c.q), dec(c.k), dec(c.v), torch.zeros([3, 5]));  // (a float32 mask with float64 inputs)
    expect(f32.dtype).toBe('float64');
  });
  test('dropout_p drops weights (scaled by 1/(1-p)) in any mode, reproducibly under manualSeed', () => {
    const q = torch.randn([4, 6, 5], { dtype: 'float64' }), k = torch.randn([4, 8, 5], { dtype: 'float64' });
    const eye = torch.eye(8, { dtype: 'float64' }).expand([4, 8, 8]);  // out = the weights themselves
    const w0 = F.scaledDotProductAttention(q, k, eye);
    torch.manualSeed(3);
    const w1 = F.scaledDotProductAttention(q, k, eye, null, 0.25);
    torch.manualSeed(3);
    const w2 = F.scaledDotProductAttention(q, k, eye, { dropoutP: 0.25 });
    expect(w1.sub(w2).abs().max().item()).toBe(0);
    const a = w0.reshape([-1]).tolist() as number[], b = w1.reshape([-1]).tolist() as number[];
    let dropped = 0;
    b.forEach((v, i) => { if (v === 0) dropped++; else expect(Math.abs(v - a[i] / 0.75)).toBeLessThan(1e-12); });
    expect(dropped).toBeGreaterThan(a.length * 0.1);
    expect(dropped).toBeLessThan(a.length * 0.4);
  });
});

// ---- modules --------------------------------------------------------------------------------------------------------
function loadInto(m: torch.nn.Module, state: Record<string, Enc>): void {
  const sd: Record<string, T> = {};
  for (const [k, v] of Object.entries(state)) sd[k] = dec(v);
  torch.noGrad(() => m.loadStateDict(sd));
}
const KW: Record<string, string> = { key_padding_mask: 'keyPaddingMask', attn_mask: 'attnMask', need_weights: 'needWeights', average_attn_weights: 'averageAttnWeights', src_mask: 'srcMask', src_key_padding_mask: 'srcKeyPaddingMask' };
// the calls of the fixture: positional inputs, then keyword arguments by PyTorch's name (a string value names an input)
const CALLS: Record<string, Record<string, [string[], Record<string, unknown>]>> = {
  mha_default: {
    self: [['query', 'query', 'query'], {}], cross_masks: [['query', 'key', 'value'], { key_padding_mask: 'kpm', attn_mask: 'mask' }],
    per_head: [['query', 'key', 'value'], { average_attn_weights: false, attn_mask: 'mask' }],
    no_weights: [['query', 'key', 'value'], { need_weights: false, key_padding_mask: 'kpm' }],
  },
  mha_options: { cross: [['query', 'key', 'value'], { key_padding_mask: 'kpm' }], per_head: [['query', 'key', 'value'], { average_attn_weights: false }] },
  mha_batch_first_self: { self: [['query', 'query', 'query'], { attn_mask: 'mask' }] },
  mha_unbatched: { cross: [['query', 'key', 'key'], { key_padding_mask: 'kpm' }] },
  tel_options: { masks: [['src'], { src_mask: 'mask', src_key_padding_mask: 'kpm' }], plain: [['src'], {}] },
  tel_fn_activation: { masks: [['src'], { src_mask: 'mask', src_key_padding_mask: 'kpm' }] },
  tel_default_relu: { mask: [['src'], { src_mask: 'mask' }] },
};
const MHA_FWD = ['key_padding_mask', 'need_weights', 'attn_mask', 'average_attn_weights'];
const TEL_FWD = ['src_mask', 'src_key_padding_mask'];

function build(name: string, c: ModuleCase, form: 'keyword' | 'positional'): torch.nn.Module {
  const o = { ...c.ctor } as Record<string, unknown>;
  if (o.activation === 'F.gelu') o.activation = (x: T) => F.gelu(x);
  if (name.startsWith('mha')) {
    if (form === 'keyword') return new nn.MultiheadAttention({ ...(o as { embedDim: number; numHeads: number }), dtype: 'float64' });
    return new nn.MultiheadAttention(o.embedDim as number, o.numHeads as number, (o.dropout as number) ?? 0, (o.bias as boolean) ?? true, (o.addBiasKv as boolean) ?? false,
      (o.addZeroAttn as boolean) ?? false, (o.kdim as number) ?? null, (o.vdim as number) ?? null, (o.batchFirst as boolean) ?? false, { dtype: 'float64' });
  }
  if (form === 'keyword') return new nn.TransformerEncoderLayer({ ...(o as { dModel: number; nhead: number }), dtype: 'float64' });
  return new nn.TransformerEncoderLayer(o.dModel as number, o.nhead as number, (o.dimFeedforward as number) ?? 2048, (o.dropout as number) ?? 0.1,
    (o.activation as 'relu') ?? 'relu', (o.layerNormEps as number) ?? 1e-5, (o.batchFirst as boolean) ?? false, (o.normFirst as boolean) ?? false, { dtype: 'float64' });
}

describe('nn.MultiheadAttention and nn.TransformerEncoderLayer vs PyTorch 1.13: constructor options, forward arguments', () => {
  for (const [name, c] of Object.entries(REF.modules)) {
    for (const [cname, want] of Object.entries(c.calls)) {
      for (const ctorForm of ['keyword', 'positional'] as const) {
        for (const callForm of ['positional', 'keyword', 'all-keyword']) {
          test(`${name} ${cname}: constructor ${ctorForm}, forward ${callForm}`, () => {
            const m = build(name, c, ctorForm);
            loadInto(m, c.state);
            const [pos, kw] = CALLS[name][cname];
            const ins: Record<string, T> = {};
            for (const [k, e] of Object.entries(c.inputs)) ins[k] = dec(e);
            for (const p of pos) ins[p].requiresGrad_(true);
            const val = (v: unknown): unknown => (typeof v === 'string' ? ins[v] : v);
            const xs = pos.map((p) => ins[p]);
            const order = name.startsWith('mha') ? MHA_FWD : TEL_FWD;
            let args: unknown[];
            if (callForm === 'positional') {
              // PyTorch's positions after the inputs (the defaults filled in up to the last one given)
              const last = Math.max(-1, ...Object.keys(kw).map((k) => order.indexOf(k)));
              const dflt: Record<string, unknown> = { key_padding_mask: null, need_weights: true, attn_mask: null, average_attn_weights: true, src_mask: null, src_key_padding_mask: null };
              args = [...xs, ...order.slice(0, last + 1).map((k) => (k in kw ? val(kw[k]) : dflt[k]))];
            } else {
              const opts: Record<string, unknown> = {};
              for (const [k, v] of Object.entries(kw)) opts[KW[k]] = val(v);
              if (callForm === 'keyword') args = Object.keys(opts).length ? [...xs, opts] : xs;
              else {
                const names = name.startsWith('mha') ? ['query', 'key', 'value'] : ['src'];
                names.forEach((n, i) => { opts[n] = xs[i]; });
                args = [opts];
              }
            }
            const r = (m.call as (...a: unknown[]) => unknown)(...args);
            const [o, w] = Array.isArray(r) ? (r as [T, T | null]) : [r as T, null];
            close(o, want.out, `${name} ${cname} out`);
            if (name.startsWith('mha')) close(w, want.weights, `${name} ${cname} weights`);
            o.mul(dec(want.wo)).sum().backward();
            const leaves = pos.filter((p, i) => pos.indexOf(p) === i);
            leaves.forEach((p) => close(ins[p].grad ?? null, want.grads[pos.indexOf(p)], `${name} ${cname} grad ${p}`));
          });
        }
      }
    }
  }
  test("the constructors' keyword and positional forms build the same parameters (PyTorch's names and shapes)", () => {
    const a = new nn.MultiheadAttention({ embedDim: 8, numHeads: 2, kdim: 5, vdim: 3, addBiasKv: true });
    const b = new nn.MultiheadAttention(8, 2, 0, true, true, false, 5, 3);
    const c = new nn.MultiheadAttention(8, { numHeads: 2, kdim: 5, vdim: 3, addBiasKv: true });
    const shapes = (m: torch.nn.Module): [string, number[]][] => m.namedParameters().map(([n, p]) => [n, p.shape]);
    expect(shapes(a)).toEqual(shapes(b));
    expect(shapes(c)).toEqual(shapes(b));
    expect(shapes(a).map(([n]) => n)).toEqual(['q_proj_weight', 'k_proj_weight', 'v_proj_weight', 'in_proj_bias', 'bias_k', 'bias_v', 'out_proj.weight', 'out_proj.bias']);
    const t1 = new nn.TransformerEncoderLayer({ dModel: 8, nhead: 2, dimFeedforward: 16, normFirst: true });
    const t2 = new nn.TransformerEncoderLayer(8, 2, 16, 0.1, 'relu', 1e-5, false, true);
    expect(shapes(t1)).toEqual(shapes(t2));
    expect(t1.normFirst).toBe(true);
    expect(t1.norm1.eps).toBe(1e-5);
  });
  test('constructor and forward errors: TypeErrors for unknown options and stray arguments, TorchErrors for bad sizes', () => {
    expect(() => new nn.MultiheadAttention({ embedDim: 8 } as never)).toThrow(/MultiheadAttention\(\): missing required argument 'numHeads'/);
    expect(() => new nn.MultiheadAttention(8, 3)).toThrow('embed_dim must be divisible by num_heads');
    expect(() => new nn.MultiheadAttention(8, 2, { batchFirts: true } as never)).toThrow(TypeError);
    expect(() => new nn.TransformerEncoderLayer({ dModel: 8, nhead: 2, activation: 'tanh' as never })).toThrow('activation should be relu/gelu, not tanh');
    const m = new nn.MultiheadAttention(8, 2);
    const x = torch.randn([3, 2, 8]);
    expect(() => (m.call as (...a: unknown[]) => unknown)(x, x, x, null, true, null, true, false, 'extra')).toThrow(TypeError);
    expect(() => (m.call as (...a: unknown[]) => unknown)(x, x, x, { keyPadingMask: null })).toThrow(/unexpected option 'keyPadingMask'/);
    expect(() => (m.call as (...a: unknown[]) => unknown)(x, { value: x })).toThrow(/missing required argument 'key'/);
    const tel = new nn.TransformerEncoderLayer(8, 2);
    expect(() => (tel.call as (...a: unknown[]) => unknown)(x, { mask: null })).toThrow(/unexpected option 'mask'/);
  });
  test('is_causal (PyTorch 2.x hint): equal to passing the causal mask', () => {
    torch.manualSeed(1);
    const m = new nn.MultiheadAttention(8, 2, { dtype: 'float64' });
    const x = torch.randn([4, 2, 8], { dtype: 'float64' });
    const causal = torch.full([4, 4], -Infinity, { dtype: 'float64' }).triu(1);
    const [a, wa] = m.call(x, x, x, { attnMask: causal });
    const [b, wb] = m.call(x, x, x, { isCausal: true });
    close(b, { shape: a.shape, dtype: 'float64', data: a.reshape([-1]).tolist() as number[] }, 'causal out', 1e-12);
    expect((wb as T).sub(wa as T).abs().max().item()).toBe(0);
    const tel = new nn.TransformerEncoderLayer(8, 2, 16, 0, { dtype: 'float64' });
    expect(tel.call(x, null, null, true).sub(tel.call(x, causal)).abs().max().item()).toBeLessThan(1e-12);
  });
  test('TransformerEncoder: norm positionally, forward (src, mask, src_key_padding_mask) positionally', () => {
    torch.manualSeed(2);
    const layer = new nn.TransformerEncoderLayer(8, 2, 16, 0, { dtype: 'float64' });
    const e1 = new nn.TransformerEncoder(layer, 2, new nn.LayerNorm(8, { dtype: 'float64' }));
    const e2 = new nn.TransformerEncoder(layer, 2, { norm: new nn.LayerNorm(8, { dtype: 'float64' }) });
    torch.noGrad(() => e2.loadStateDict(e1.stateDict()));
    const x = torch.randn([4, 2, 8], { dtype: 'float64' });
    const mask = torch.full([4, 4], -Infinity, { dtype: 'float64' }).triu(1);
    const kpm = torch.tensor([[false, false, false, true], [false, false, false, false]]);
    const y1 = e1.call(x, mask, kpm), y2 = e2.call(x, { mask, srcKeyPaddingMask: kpm }), y3 = e2.call({ src: x, mask, srcKeyPaddingMask: kpm });
    expect(y1.sub(y2).abs().max().item()).toBe(0);
    expect(y3.sub(y2).abs().max().item()).toBe(0);
    expect(() => new nn.TransformerEncoder(layer, 2, new nn.LayerNorm(8), { norm: null } as never)).toThrow(/multiple values for argument 'norm'/);
  });
});
