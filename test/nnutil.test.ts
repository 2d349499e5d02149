// nnutil.test.ts - torch.nn.utils.rnn (padSequence, PackedSequence, packPaddedSequence, padPackedSequence,
// packSequence, unpackSequence, unpadSequence), RNN / LSTM / GRU on packed input, nn.TransformerDecoderLayer /
// TransformerDecoder / Transformer, nn.init.orthogonal_ / sparse_, nn.utils.weightNorm / spectralNorm, against
// PyTorch 1.13 (test/ref/nnutil.json, written by test/ref/gen_nnutil.py): values, gradients and error messages.
import * as fs from 'fs';
import * as path from 'path';
import * as torch from '../lib';
import { TorchError } from '../lib/errors';
import { orthonormalQ } from '../lib/nn/qr';

type T = torch.Tensor;
const nn = torch.nn;
const R = torch.nn.utils.rnn;
interface Enc { shape: number[]; dtype: 'float64' | 'bool' | 'int64'; data: (number | string | boolean)[] }
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const REF = JSON.parse(fs.readFileSync(path.join(__dirname, 'ref/nnutil.json'), 'utf8')) as Record<string, any>;

const num = (v: number | string | boolean): number => (typeof v === 'number' ? v : v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number(v));
function dec(e: Enc): T {
  if (e.dtype === 'bool') return torch.tensor(e.data as boolean[], { dtype: 'bool' }).reshape(e.shape);
  if (e.dtype === 'int64') return torch.tensor(e.data as number[], { dtype: 'int64' }).reshape(e.shape);
  return torch.tensor(e.data.map(num), { dtype: 'float64' }).reshape(e.shape);
}
/** the largest relative difference is under tol (exact equality for integer and bool tensors) */
function close(got: T | null | undefined, want: Enc | null, what: string, tol = 1e-9): void {
  if (want === null) { expect([what, got ?? null]).toEqual([what, null]); return; }
  expect(got).toBeInstanceOf(torch.Tensor);
  const g = got as T;
  expect([what, g.shape]).toEqual([what, want.shape]);
  if (want.dtype !== 'float64') { expect([what, g.dtype, g.reshape([-1]).tolist()]).toEqual([what, want.dtype, want.data]); return; }
  const vals = g.to('float64').reshape([-1]).tolist() as number[];
  let worst = 0;
  vals.forEach((v, i) => {
    const w = num(want.data[i]);
    const d = v === w ? 0 : Math.abs(v - w) / (1 + Math.abs(w));
    worst = Math.max(worst, Number.isNaN(d) ? Infinity : d);
  });
  expect([what, worst < tol ? 0 : worst]).toEqual([what, 0]);
}
const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
function loadState(m: torch.nn.Module, st: Record<string, Enc>): void {
  const sd: Record<string, T> = {};
  for (const [k, v] of Object.entries(st)) sd[k] = dec(v);
  torch.noGrad(() => m.loadStateDict(sd));
}

describe('nn.utils.rnn vs PyTorch 1.13', () => {
  const u = REF.rnn_utils;
  const seqs = (u.seqs as Enc[]).map(dec);
  test('padSequence: time-major, batchFirst with paddingValue, positional and keyword forms', () => {
    close(R.padSequence(seqs), u.pad, 'pad');
    close(R.padSequence(seqs, { batchFirst: true, paddingValue: -1.5 }), u.pad_bf, 'pad_bf');
    close(R.padSequence(seqs, true, -1.5), u.pad_bf, 'pad_bf positional');
    // paddingSide 'left' (PyTorch 2.5): the padding goes first
    const left = R.padSequence(seqs, { batchFirst: true, paddingSide: 'left' });
    expect(left.select(0, 1).tolist()).toEqual([[0, 0], [0, 0], [0, 0], seqs[1].select(0, 0).tolist()]);
    expect(() => R.padSequence(seqs, { paddingSide: 'up' as never })).toThrow('Expected padding_side to be one of left or right, but got up.');
    expect(() => R.padSequence([seqs[0], torch.zeros([2, 3], { dtype: 'float64' })])).toThrow(TorchError);
  });
  test('packSequence / packPaddedSequence / padPackedSequence: data, batchSizes, indices, lengths', () => {
    const ps = R.packSequence(seqs, false);
    close(ps.data, u.pack.data, 'data');
    close(ps.batchSizes, u.pack.batch_sizes, 'batch_sizes');
    close(ps.sortedIndices, u.pack.sorted_indices, 'sorted_indices');
    close(ps.unsortedIndices, u.pack.unsorted_indices, 'unsorted_indices');
    const [data, bs, si, ui] = ps;
    expect(data === ps.data && bs === ps.batchSizes && si === ps.sortedIndices && ui === ps.unsortedIndices).toBe(true);
    const [padded, lens] = R.padPackedSequence(ps, { batchFirst: true, paddingValue: 9, totalLength: 6 });
    close(padded, u.unpack.padded, 'padded');
    close(lens, u.unpack.lengths, 'lengths');
    const sorted = R.packSequence([seqs[2], seqs[0], seqs[1]]);
    close(sorted.data, u.pack_sorted.data, 'sorted data');
    close(sorted.batchSizes, u.pack_sorted.batch_sizes, 'sorted batch_sizes');
    expect(sorted.sortedIndices).toBeNull();
    expect(sorted.unsortedIndices).toBeNull();
    const x = dec(u.pack_padded.x);
    const pp = R.packPaddedSequence(x, torch.tensor([2, 4, 1]), { batchFirst: true, enforceSorted: false });
    close(pp.data, u.pack_padded.data, 'pack_padded data');
    close(pp.batchSizes, u.pack_padded.batch_sizes, 'pack_padded batch_sizes');
    close(pp.sortedIndices, u.pack_padded.sorted_indices, 'pack_padded sorted_indices');
    expect(String(sorted)).toMatch(/^PackedSequence\(data=tensor\(\[\[.*batch_sizes=tensor\(\[3, 2, 2, 1\]\), sorted_indices=None, unsorted_indices=None\)$/s);
  });
  test('unpackSequence / unpadSequence give the sequences back; gradients flow through pack and pad', () => {
    const xs = seqs.map((s) => s.clone().requiresGrad_());
    const back = R.unpackSequence(R.packSequence(xs, false));
    back.forEach((b, i) => expect(b.tolist()).toEqual(seqs[i].tolist()));
    const un = R.unpadSequence(R.padSequence(seqs), [3, 1, 4]);
    un.forEach((b, i) => expect(b.tolist()).toEqual(seqs[i].tolist()));
    const un2 = R.unpadSequence(R.padSequence(seqs, true), torch.tensor([3, 1, 4]), { batchFirst: true });
    un2.forEach((b, i) => expect(b.tolist()).toEqual(seqs[i].tolist()));
    back.forEach((b, i) => b.mul(i + 1).sum().backward({ retainGraph: true }));
    xs.forEach((x, i) => expect(x.grad?.tolist()).toEqual(torch.fullLike(x, i + 1).tolist()));
  });
  test('errors as PyTorch', () => {
    const x = dec(u.pack_padded.x).transpose(0, 1);
    expect(() => R.packPaddedSequence(x, [2, 4, 1])).toThrow(u.errors.unsorted);
    expect(() => R.packPaddedSequence(x, [4, 2, 0])).toThrow(u.errors.zero);
    expect(() => R.padPackedSequence(R.packSequence(seqs, false), { totalLength: 2 })).toThrow(u.errors.total);
    expect(() => R.packPaddedSequence(x, [4, 2])).toThrow(u.errors.count);
    expect(() => R.packPaddedSequence(x, [5, 2, 1])).toThrow(TorchError);
    expect(() => R.packPaddedSequence(x, [4, 2, 1], { batchFirst: true, bogus: 1 } as never)).toThrow(TypeError);
  });
});

describe('RNN / LSTM / GRU on a PackedSequence vs PyTorch 1.13 (values and gradients)', () => {
  for (const [name, c] of Object.entries(REF.rnn_packed as Record<string, any>)) {
    test(name, () => {
      const kw: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(c.kw as Record<string, unknown>)) kw[camel(k)] = v;
      const Cls = (nn as unknown as Record<string, new (a: number, b: number, o: object) => torch.nn.Module>)[c.cls];
      const m = new Cls(3, 4, { ...kw, dtype: 'float64' });
      loadState(m, c.state);
      const x = dec(c.x).requiresGrad_();
      const h0 = c.h0 ? dec(c.h0).requiresGrad_() : null;
      const c0 = c.c0 ? dec(c.c0).requiresGrad_() : null;
      const bf = !!kw.batchFirst;
      const packed = R.packPaddedSequence(x, c.lengths, { batchFirst: bf, enforceSorted: false });
      const hx = h0 === null ? null : c.cls === 'LSTM' ? [h0, c0] : h0;
      const [out, hid] = (m as unknown as { call(a: unknown, b: unknown): [torch.nn.utils.rnn.PackedSequence, T | [T, T]] }).call(packed, hx);
      expect(out).toBeInstanceOf(R.PackedSequence);
      const [hn, cn] = c.cls === 'LSTM' ? (hid as [T, T]) : [hid as T, null];
      close(out.data, c.out_data, 'out.data');
      expect(out.batchSizes).toBe(packed.batchSizes);
      const [outp] = R.padPackedSequence(out, { batchFirst: bf });
      close(outp, c.out, 'out');
      close(hn, c.hn, 'h_n');
      close(cn, c.cn, 'c_n');
      let loss = outp.mul(dec(c.wo)).sum().add(hn.mul(dec(c.wh)).sum());
      if (cn) loss = loss.add(cn.mul(dec(c.wc)).sum());
      loss.backward();
      close(x.grad, c.gx, 'grad x');
      if (h0) close(h0.grad, c.gh0, 'grad h0');
      if (c0) close(c0.grad, c.gc0, 'grad c0');
      const ps = new Map(m.namedParameters());
      for (const [k, g] of Object.entries(c.gparams as Record<string, Enc>)) close(ps.get(k)?.grad, g, `grad ${k}`);
    });
  }
  test('dropout between layers on packed input: active in training, off in eval (where packed = padded per sequence)', () => {
    torch.manualSeed(2);
    const m = new nn.LSTM(3, 4, { numLayers: 2, dropout: 0.5, dtype: 'float64' });
    const seqs = [torch.randn([5, 3], { dtype: 'float64' }), torch.randn([2, 3], { dtype: 'float64' })];
    const p = R.packSequence(seqs);
    const [o1] = m.call(p), [o2] = m.call(p);
    expect(o1.data.sub(o2.data).abs().max().item()).toBeGreaterThan(0);
    m.eval();
    const [oe, [hn]] = m.call(p);
    const [alone, [h1]] = m.call(seqs[1]);
    const [padded] = R.padPackedSequence(oe);
    expect(padded.select(1, 1).narrow(0, 0, 2).sub(alone).abs().max().item()).toBeLessThan(1e-12);
    expect(hn.select(1, 1).sub(h1).abs().max().item()).toBeLessThan(1e-12);
  });
  test('a wrong-sized h_0 for packed input is a TorchError naming the sizes', () => {
    const m = new nn.GRU(3, 4);
    const p = R.packSequence([torch.randn([3, 3]), torch.randn([2, 3])]);
    expect(() => m.call(p, torch.zeros([1, 3, 4]))).toThrow('Expected hidden size (1, 2, 4), got [1, 3, 4]');
    expect(() => m.call(R.packSequence([torch.randn([3, 5])]))).toThrow('input.size(-1) must be equal to input_size. Expected 3, got 5');
  });
});

describe('TransformerDecoderLayer / TransformerDecoder / Transformer vs PyTorch 1.13 (a loaded state dict)', () => {
  const PY2TS: Record<string, string> = {
    tgt_mask: 'tgtMask', memory_mask: 'memoryMask', src_mask: 'srcMask', tgt_key_padding_mask: 'tgtKeyPaddingMask',
    memory_key_padding_mask: 'memoryKeyPaddingMask', src_key_padding_mask: 'srcKeyPaddingMask',
  };
  function build(c: Record<string, unknown>): torch.nn.Module {
    const { cls, ...rest } = c;
    const o = { ...rest, dtype: 'float64' as const };
    if (cls === 'TransformerDecoderLayer') return new nn.TransformerDecoderLayer(o as never);
    if (cls === 'TransformerDecoder') {
      const layer = new nn.TransformerDecoderLayer(c.dModel as number, c.nhead as number, { dimFeedforward: c.dimFeedforward as number, dropout: c.dropout as number, dtype: 'float64' });
      return new nn.TransformerDecoder(layer, c.numLayers as number, c.norm ? new nn.LayerNorm(c.dModel as number, { dtype: 'float64' }) : null);
    }
    return new nn.Transformer(o as never);
  }
  for (const [name, c] of Object.entries(REF.transformer as Record<string, any>)) {
    test(name, () => {
      const m = build(c.ctor);
      expect(Object.keys(m.stateDict())).toEqual(c.keys);
      loadState(m, c.state);
      const leaves: Record<string, T> = {};
      const kw: Record<string, T> = {};
      for (const [k, v] of Object.entries(c.inputs as Record<string, Enc>)) {
        const t = dec(v);
        if (k in PY2TS) kw[PY2TS[k]] = t; else leaves[k] = t.requiresGrad_();
      }
      const [a, b] = c.ctor.cls === 'Transformer' ? [leaves.src, leaves.tgt] : [leaves.tgt, leaves.memory];
      const out = (m as unknown as { call(a: T, b: T, o: object): T }).call(a, b, kw);
      close(out, c.out, 'out');
      out.mul(dec(c.wo)).sum().backward();
      for (const [k, g] of Object.entries(c.grads as Record<string, Enc>)) close(leaves[k].grad, g, `grad ${k}`);
      const ps = new Map(m.namedParameters());
      for (const [k, g] of Object.entries(c.gparams as Record<string, Enc>)) close(ps.get(k)?.grad, g, `grad ${k}`);
    });
  }
  test('positional forward arguments, keyword constructors, repr, generateSquareSubsequentMask, errors', () => {
    const misc = REF.transformer_misc;
    close(nn.Transformer.generateSquareSubsequentMask(3).to('float64'), misc.mask3, 'mask');
    expect(nn.Transformer.generateSquareSubsequentMask(3).dtype).toBe('float32');
    const dl = new nn.TransformerDecoderLayer(8, 2, 16);
    expect(String(dl)).toBe(misc.repr_dec_layer);
    expect(String(new nn.TransformerDecoderLayer({ dModel: 8, nhead: 2, dimFeedforward: 16 }))).toBe(misc.repr_dec_layer);
    const big = new nn.Transformer();
    expect(Object.keys(big.stateDict())).toEqual(misc.default_keys);
    expect(big.parameters().reduce((s, p) => s + p.numel(), 0)).toBe(misc.default_params);
    const tm = new nn.Transformer(8, 2, 1, 1, 16);
    expect(() => tm.call(torch.randn([5, 2, 8]), torch.randn([4, 3, 8]))).toThrow(misc.err_batch);
    expect(() => tm.call(torch.randn([5, 2, 8]), torch.randn([4, 2, 9]))).toThrow(misc.err_feat);
    // positional (tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask) = keyword form
    const d = new nn.TransformerDecoderLayer(8, 2, 16, 0, { dtype: 'float64' });
    const tgt = torch.randn([4, 2, 8], { dtype: 'float64' }), mem = torch.randn([5, 2, 8], { dtype: 'float64' });
    const mask = nn.Transformer.generateSquareSubsequentMask(4, { dtype: 'float64' });
    const mk = torch.tensor([[false, false, true, true, true], [false, false, false, false, false]]);
    const y1 = d.call(tgt, mem, mask, null, null, mk);
    const y2 = d.call({ tgt, memory: mem, tgtMask: mask, memoryKeyPaddingMask: mk });
    const y3 = d.call(tgt, mem, { tgtIsCausal: true, memoryKeyPaddingMask: mk });
    expect(y1.sub(y2).abs().max().item()).toBe(0);
    expect(y1.sub(y3).abs().max().item()).toBeLessThan(1e-12);
    // the causal mask: changing a later target step leaves the earlier outputs as they were
    const tgt2 = tgt.clone();
    torch.noGrad(() => tgt2.select(0, 3).fill_(5));
    const y4 = d.call(tgt2, mem, mask, null, null, mk);
    expect(y4.narrow(0, 0, 3).sub(y1.narrow(0, 0, 3)).abs().max().item()).toBeLessThan(1e-12);
    expect(y4.select(0, 3).sub(y1.select(0, 3)).abs().max().item()).toBeGreaterThan(1e-3);
    // Transformer: positional masks, an unbatched call, custom encoder and decoder kept as given
    const t2 = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16, dropout: 0, dtype: 'float64' });
    const src = torch.randn([5, 2, 8], { dtype: 'float64' });
    const z1 = t2.call(src, tgt, null, mask);
    const z2 = t2.call(src, tgt, { tgtMask: mask });
    expect(z1.sub(z2).abs().max().item()).toBe(0);
    const zu = t2.call(src.select(1, 0), tgt.select(1, 0), null, mask);
    expect(zu.sub(z1.select(1, 0)).abs().max().item()).toBeLessThan(1e-12);
    const enc = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, 16), 1);
    const t3 = new nn.Transformer({ dModel: 8, nhead: 2, customEncoder: enc, numDecoderLayers: 1, dimFeedforward: 16 });
    expect(t3.encoder).toBe(enc);
    expect(() => new nn.TransformerDecoderLayer(8, 2, { activation: 'tanh' as never })).toThrow('activation should be relu/gelu, not tanh');
    expect(() => new nn.TransformerDecoder(new nn.TransformerEncoderLayer(8, 2) as never, 2)).toThrow(TorchError);
    const kwDec = new nn.TransformerDecoder({ decoderLayer: d, numLayers: 2, norm: new nn.LayerNorm(8, { dtype: 'float64' }) });
    expect(Object.keys(kwDec.stateDict())).toEqual(Object.keys(new nn.TransformerDecoder(d, 2, new nn.LayerNorm(8)).stateDict()));
    expect(() => new nn.TransformerDecoder({ decoderLayer: d, numLayers: 2, nrm: null } as never)).toThrow(TypeError);
  });
});

describe('nn.init.orthogonal_ / sparse_ and the kaiming checks', () => {
  test("orthogonal_'s QR step (Householder, sign-corrected) equals PyTorch's linalg.qr-based result", () => {
    for (const c of REF.qr as { a: Enc; q: Enc }[]) {
      const a = dec(c.a);
      const [rows, cols] = a.shape;
      const src = rows < cols ? a.t().contiguous() : a;
      const [m, n] = src.shape;
      const q = torch.tensor(orthonormalQ(src.toTypedArray() as Float64Array, m, n), { dtype: 'float64' }).reshape([m, n]);
      close(rows < cols ? q.t() : q, c.q, `qr ${rows}x${cols}`, 1e-10);
    }
  });
  test('orthogonal_: (semi-)orthogonal times gain, any shape, seeded, in place', () => {
    for (const shape of [[6, 4], [4, 6], [5, 5], [3, 2, 2, 2]]) {
      const w = torch.empty(shape, { dtype: 'float64' });
      expect(nn.init.orthogonal_(w, 2)).toBe(w);
      const m = w.reshape([shape[0], -1]);
      const [r, c] = m.shape;
      const g = r <= c ? m.matmul(m.t()) : m.t().matmul(m);
      const eye = torch.eye(Math.min(r, c), { dtype: 'float64' }).mul(4);
      expect(g.sub(eye).abs().max().item()).toBeLessThan(1e-12);
    }
    torch.manualSeed(3);
    const a = nn.init.orthogonal_(torch.empty([4, 3]));
    torch.manualSeed(3);
    const b = nn.init.orthogonal_(torch.empty([4, 3]), { gain: 1 });
    expect(a.tolist()).toEqual(b.tolist());
    const gen = new torch.Generator().manualSeed(5);
    const c1 = nn.init.orthogonal_(torch.empty([3, 3]), { generator: gen });
    expect(c1.matmul(c1.t()).sub(torch.eye(3)).abs().max().item()).toBeLessThan(1e-6);
    expect(() => nn.init.orthogonal_(torch.empty([3]))).toThrow(REF.init_errors.ortho_1d);
    expect(nn.init.orthogonal_(torch.empty([0, 3])).shape).toEqual([0, 3]);
  });
  test('sparse_: ceil(sparsity * rows) zeros in every column, N(0, std) elsewhere', () => {
    torch.manualSeed(1);
    const w = nn.init.sparse_(torch.empty([40, 300]), 0.25, 0.5);
    const zerosPerCol = w.eq(0).sum(0).tolist() as number[];
    expect(new Set(zerosPerCol)).toEqual(new Set([10]));
    const nz = w.maskedSelect(w.ne(0));
    expect(Math.abs((nz.std().item() as number) - 0.5)).toBeLessThan(0.02);
    expect(() => nn.init.sparse_(torch.empty([2, 3, 4]), 0.5)).toThrow(REF.init_errors.sparse_3d);
  });
  test('kaiming: mode and nonlinearity checks as PyTorch', () => {
    expect(() => nn.init.kaimingUniform_(torch.empty([3, 4]), { mode: 'fan_avg' as never })).toThrow(REF.init_errors.kaiming_mode);
    expect(() => nn.init.kaimingUniform_(torch.empty([3, 4]), { nonlinearity: 'swish' })).toThrow(REF.init_errors.kaiming_nl);
    expect(() => nn.init.kaimingNormal_(torch.empty([3, 4]), { mode: 'fan_avg' as never })).toThrow(REF.init_errors.kaiming_mode);
  });
});

describe('nn.utils.weightNorm / spectralNorm vs PyTorch 1.13', () => {
  const build = (name: string): torch.nn.Module => (name.startsWith('linear') ? new nn.Linear(name === 'linear' ? 5 : 4, 3, { dtype: 'float64' })
    : name.startsWith('convT') ? new nn.ConvTranspose2d(2, 3, 3, { dtype: 'float64' }) : new nn.Conv2d(2, 3, 3, { dtype: 'float64' }));
  for (const [name, c] of Object.entries(REF.weight_norm as Record<string, any>)) {
    test(`weightNorm ${name}: keys, g and v, forward, gradients; removeWeightNorm`, () => {
      const m = build(name);
      loadState(m, c.pre);
      nn.utils.weightNorm(m, 'weight', c.dim);
      expect(Object.keys(m.stateDict())).toEqual(c.keys);
      const sd = m.stateDict();
      for (const [k, v] of Object.entries(c.state as Record<string, Enc>)) close(sd[k], v, k);
      const x = dec(c.x).requiresGrad_();
      const y = (m as unknown as { call(x: T): T }).call(x);
      close(y, c.y, 'y');
      y.mul(dec(c.wo)).sum().backward();
      close(x.grad, c.gx, 'grad x');
      const ps = new Map(m.namedParameters());
      for (const [k, g] of Object.entries(c.gparams as Record<string, Enc>)) close(ps.get(k)?.grad, g, `grad ${k}`);
      nn.utils.removeWeightNorm(m);
      expect(Object.keys(m.stateDict())).toEqual(c.removed_keys);
      close((m as unknown as { weight: T }).weight, c.removed_weight, 'removed weight');
      expect((m as unknown as { weight: T }).weight).toBeInstanceOf(torch.nn.Parameter);
    });
  }
  for (const [name, c] of Object.entries(REF.spectral_norm as Record<string, any>)) {
    test(`spectralNorm ${name}: keys, power iteration (u, v buffers), forward, gradients, eval; removeSpectralNorm`, () => {
      const m = build(name);
      nn.utils.spectralNorm(m, { nPowerIterations: c.kw.nPowerIterations });
      expect(Object.keys(m.stateDict())).toEqual(c.keys);
      loadState(m, c.state);
      const mm = m as unknown as { call(x: T): T; weight_u: T; weight_v: T; weight: T };
      for (const call of c.calls) {
        const x = dec(call.x).requiresGrad_();
        m.zeroGrad();
        const y = mm.call(x);
        close(y, call.y, 'y');
        y.mul(dec(call.wo)).sum().backward();
        close(x.grad, call.gx, 'grad x');
        close(mm.weight_u, call.u, 'u');
        close(mm.weight_v, call.v, 'v');
        const ps = new Map(m.namedParameters());
        for (const [k, g] of Object.entries(call.gparams as Record<string, Enc>)) close(ps.get(k)?.grad, g, `grad ${k}`);
      }
      m.eval();
      close(mm.call(dec(c.eval.x)), c.eval.y, 'eval y');
      close(mm.weight_u, c.eval.u, 'eval u (unchanged)');
      nn.utils.removeSpectralNorm(m);
      expect(Object.keys(m.stateDict())).toEqual(c.removed_keys);
      close(mm.weight, c.removed_weight, 'removed weight');
    });
  }
  test('errors as PyTorch', () => {
    const e = REF.weight_norm_errors;
    const lin = new nn.Linear(4, 3);
    expect(() => nn.utils.removeWeightNorm(lin)).toThrow(e.not_found);
    expect(() => nn.utils.weightNorm(nn.utils.weightNorm(new nn.Linear(4, 3)))).toThrow(e.twice);
    expect(() => nn.utils.removeSpectralNorm(lin)).toThrow(e.sn_not_found);
    expect(() => nn.utils.spectralNorm(nn.utils.spectralNorm(new nn.Linear(4, 3)))).toThrow(e.sn_twice);
    expect(() => nn.utils.weightNorm(new nn.Linear(4, 3), 'nope')).toThrow(TorchError);
    expect(() => nn.utils.spectralNorm(new nn.Linear(4, 3), { nPowerIteration: 2 } as never)).toThrow(TypeError);
    expect(() => nn.utils.weightNorm(new nn.Linear(4, 3), { dims: 1 } as never)).toThrow(TypeError);
  });
  test('clipGradNorm (the deprecated alias) is clipGradNorm_', () => {
    expect(nn.utils.clipGradNorm).toBe(nn.utils.clipGradNorm_);
  });
});

describe('nn.utils.fuseConvBnEval / fuseLinearBnEval vs PyTorch 1.13', () => {
  const f = () => REF.fusion;
  test.each(['conv2d', 'conv1d_nobias', 'convT2d'])('%s', (name) => {
    const c = f()[name];
    const conv = name === 'conv2d' ? new nn.Conv2d(2, 3, 3, { padding: 1, dtype: 'float64' }) : name === 'conv1d_nobias'
      ? new nn.Conv1d(2, 3, 3, { bias: false, dtype: 'float64' }) : new nn.ConvTranspose2d(2, 3, 3, { stride: 2, dtype: 'float64' });
    const bn = name === 'conv1d_nobias' ? new nn.BatchNorm1d(3, { dtype: 'float64' }) : new nn.BatchNorm2d(3, { eps: name === 'conv2d' ? 1e-3 : 1e-5, dtype: 'float64' });
    loadState(conv, c.conv);
    loadState(bn, c.bn);
    expect(() => nn.utils.fuseConvBnEval(conv, bn)).toThrow(REF.fusion.err_train);
    conv.eval(); bn.eval();
    const fused = nn.utils.fuseConvBnEval(conv, bn, c.transpose);
    expect(fused).not.toBe(conv);
    expect(String(fused)).toBe(c.repr);
    close(fused.weight, c.w, 'fused weight');
    close(fused.bias, c.b, 'fused bias');
    const x = dec(c.x);
    close((fused as unknown as { call(x: T): T }).call(x), c.y, 'fused(x)');
    close((bn as unknown as { call(x: T): T }).call((conv as unknown as { call(x: T): T }).call(x)), c.ref, 'bn(conv(x))', 1e-9);
    expect(fused.weight).toBeInstanceOf(torch.nn.Parameter);
  });
  test('linear', () => {
    const c = f().linear;
    const lin = new nn.Linear(4, 3, { dtype: 'float64' }), bn = new nn.BatchNorm1d(3, { dtype: 'float64' });
    loadState(lin, c.conv);
    loadState(bn, c.bn);
    lin.eval(); bn.eval();
    const fused = nn.utils.fuseLinearBnEval(lin, bn);
    close(fused.weight, c.w, 'fused weight');
    close(fused.bias, c.b, 'fused bias');
  });
});

describe('nn.LazyLinear / LazyConv1d / LazyConv2d', () => {
  const lz = () => REF.lazy;
  test('LazyLinear: in_features from the first call, becomes a Linear, seeded as Linear', () => {
    const m = new nn.LazyLinear(3);
    expect(String(m)).toBe(lz().linear_before);
    expect(m.hasUninitializedParams()).toBe(true);
    torch.manualSeed(4);
    const y = m.call(torch.ones([2, 5]));
    expect(y.shape).toEqual([2, 3]);
    expect(String(m)).toBe(lz().linear_after);
    expect(m).toBeInstanceOf(nn.Linear);
    expect(Object.keys(m.stateDict())).toEqual(['weight', 'bias']);
    expect(m.weight.shape).toEqual([3, 5]);
    torch.manualSeed(4);
    const ref = new nn.Linear(5, 3);
    expect(m.weight.tolist()).toEqual(ref.weight.tolist());
    expect(m.bias?.tolist()).toEqual(ref.bias?.tolist());
    expect(y.tolist()).toEqual(ref.call(torch.ones([2, 5])).tolist());
    // trains as a Linear from then on
    const opt = new torch.optim.SGD(m.parameters(), { lr: 0.1 });
    m.call(torch.ones([2, 5])).sum().backward();
    opt.step();
    expect(m.weight.sub(ref.weight).abs().max().item()).toBeGreaterThan(0);
    const d = new nn.LazyLinear(2, { dtype: 'float64' });
    expect(d.call(torch.ones([1, 4], { dtype: 'float64' })).dtype).toBe('float64');
  });
  test('LazyConv2d / LazyConv1d: in_channels from the input, repr, errors', () => {
    const c = new nn.LazyConv2d(4, 3, { padding: 1 });
    expect(String(c)).toBe(lz().conv_before);
    expect(() => c.call(torch.randn([5]))).toThrow(lz().conv_err);
    torch.manualSeed(9);
    const y = c.call(torch.ones([2, 3, 5, 5]));
    expect(String(c)).toBe(lz().conv_after);
    expect(Object.keys(c.stateDict())).toEqual(lz().conv_keys);
    torch.manualSeed(9);
    const ref = new nn.Conv2d(3, 4, 3, 1, 1);
    expect(y.tolist()).toEqual(ref.call(torch.ones([2, 3, 5, 5])).tolist());
    expect(String(new nn.LazyConv1d(4, 3))).toBe(lz().conv1d_before);
    const u = new nn.LazyConv1d(4, 3, 1, 0, 1, 2);
    expect(u.call(torch.randn([6, 7])).shape).toEqual([4, 5]);  // unbatched: channels are dim 0
    expect(u.weight.shape).toEqual([4, 3, 3]);
    expect(() => new nn.LazyConv2d(4, 3, { groups: 2 }).call(torch.randn([1, 3, 5, 5]))).toThrow(TorchError);
  });
});

// On CUDA (a GPU, or the emulator addon: NODETORCH_ADDON=build-emu/...): the packed LSTM, the Transformer and the
// weight reparametrisations give the CPU's numbers; batchSizes stays on the CPU, the indices follow the data.
const cudaTest = torch.cuda.isAvailable() ? test : test.skip;
describe('on CUDA: the same numbers as on the CPU', () => {
  cudaTest('packed LSTM (unsorted, bidirectional), Transformer, weightNorm, spectralNorm, orthogonal_', () => {
    torch.manualSeed(0);
    const m = new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true, dtype: 'float64' });
    const seqs = [torch.randn([2, 3], { dtype: 'float64' }), torch.randn([5, 3], { dtype: 'float64' }), torch.randn([3, 3], { dtype: 'float64' })];
    const [oc, [hc]] = m.call(R.packSequence(seqs, false));
    m.to('cuda');
    const pg = R.packSequence(seqs.map((s) => s.to('cuda')), false);
    expect(pg.batchSizes.device.type).toBe('cpu');
    expect(pg.sortedIndices?.device.type).toBe('cuda');
    const [og, [hg]] = m.call(pg);
    expect(og.data.device.type).toBe('cuda');
    expect(og.data.cpu().sub(oc.data).abs().max().item()).toBeLessThan(1e-10);
    expect(hg.cpu().sub(hc).abs().max().item()).toBeLessThan(1e-10);
    const [pad, lens] = R.padPackedSequence(og, { batchFirst: true });
    expect(pad.device.type).toBe('cuda');
    expect(lens.tolist()).toEqual([2, 5, 3]);
    const t = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16, dropout: 0, dtype: 'float64' });
    const src = torch.randn([5, 2, 8], { dtype: 'float64' }), tgt = torch.randn([4, 2, 8], { dtype: 'float64' });
    const mask = nn.Transformer.generateSquareSubsequentMask(4, { dtype: 'float64' });
    const yc = t.call(src, tgt, null, mask);
    t.to('cuda');
    const yg = t.call(src.to('cuda'), tgt.to('cuda'), null, mask.to('cuda'));
    expect(yg.cpu().sub(yc).abs().max().item()).toBeLessThan(1e-10);
    const lin = nn.utils.spectralNorm(nn.utils.weightNorm(new nn.Linear(4, 3, { dtype: 'float64' })), { name: 'bias', dim: 0 });
    lin.eval();
    const x = torch.randn([2, 4], { dtype: 'float64' });
    const lc = lin.call(x);
    lin.to('cuda');
    expect(lin.call(x.to('cuda')).cpu().sub(lc).abs().max().item()).toBeLessThan(1e-10);
    const w = nn.init.orthogonal_(torch.empty([5, 3], { device: 'cuda' }));
    expect(w.device.type).toBe('cuda');
    expect(w.t().matmul(w).cpu().sub(torch.eye(3)).abs().max().item()).toBeLessThan(1e-5);
  });
});
