// cuda_kernels.test.ts - the parallel CUDA kernels of cuda/reduce.cu (scan, var), cuda/index.cu (device-side index
// validation, scatter/index_add/put over all positions with atomics, nonzero by device scan + compaction), cuda/sort.cu
// and the max-pool backward of cuda/conv.cu, each against the CPU kernels on the same inputs: sizes that cross block,
// tile and segment boundaries (rows of 1, 31, 1025, 70000), every dtype the op takes, strided views, and the error
// cases (PyTorch's messages, thrown from the device-side check). Runs under the CUDA emulator
// (NODETORCH_ADDON=$PWD/build-emu/Release/nodetorch.node) or a GPU build; skipped, loudly, without CUDA.
// Tolerances: integer and bool results, gathers, sorts, nonzero and max-pool backward are exact; float cumsum/cumprod
// and var sum in a different (tree) order than the CPU's serial loop: rtol 1e-6 (float32) / 1e-12 (float64), 1e-2
// for float16/bfloat16 where the CPU rounds its double accumulator to 11/8 bits at each step too; atomic float sums
// (scatter add/multiply, index_add, put accumulate) as orderTolOf says. The emulator runs threads in order, so there
// those and duplicate assignments give the CPU's serial result (CUEMU_SCHEDULE=reverse checks the GPU tolerances).
import * as torch from '../lib/index';

type T = torch.Tensor;
const HAVE = torch.cuda.isAvailable();
if (!HAVE) console.warn('cuda_kernels.test.ts: SKIPPED: no CUDA (run with NODETORCH_ADDON=$PWD/build-emu/Release/nodetorch.node)');
const it = HAVE ? test : test.skip;

const FLOATS = ['float32', 'float64', 'float16', 'bfloat16'] as const;
const INTS = ['int64', 'int32', 'int16', 'int8', 'uint8'] as const;

function flat(t: T): number[] {
  return (t.cpu().reshape([-1]).to('float64').tolist() as number[]);
}
function expectClose(got: T, want: T, rtol: number, atol: number, what: string): void {
  expect([what, got.shape]).toEqual([what, want.shape]);
  expect([what, got.dtype]).toEqual([what, want.dtype]);
  const g = flat(got), w = flat(want);
  let bad = -1;
  for (let i = 0; i < w.length; i++) {
    const a = g[i], b = w[i];
    if (Number.isNaN(b) ? !Number.isNaN(a) : !(Math.abs(a - b) <= atol + rtol * Math.abs(b) || a === b)) { bad = i; break; }
  }
  expect([what, bad, bad >= 0 ? [g[bad], w[bad]] : null]).toEqual([what, -1, null]);
}
function expectEqual(got: T, want: T, what: string): void { expectClose(got, want, 0, 0, what); }
// Assignment with repeated targets: PyTorch leaves one of the values (undefined which). The emulator runs threads in
// order and must give the CPU's (serial, last wins) result exactly; a GPU must give, at each element, the CPU's value
// where at most one source aims at it, else one of the source values aimed at it.
const EMU = /build-emu/.test(process.env.NODETORCH_ADDON ?? '');
function expectAssign(got: T, want: T, targets: number[], src: T, what: string): void {
  if (EMU) { expectEqual(got, want, what); return; }
  const g = flat(got), w = flat(want), sv = flat(src);
  const cand = new Map<number, number[]>();
  targets.forEach((t, p) => { if (!cand.has(t)) cand.set(t, []); (cand.get(t) as number[]).push(sv[p]); });
  const same = (a: number, b: number): boolean => a === b || (Number.isNaN(a) && Number.isNaN(b));
  let bad = -1;
  for (let t = 0; t < w.length && bad < 0; t++) {
    const c = cand.get(t);
    if (!c || c.length === 1 ? !same(g[t], w[t]) : !c.some((v) => same(v, g[t]))) bad = t;
  }
  expect([what, bad]).toEqual([what, -1]);
}
function errorOf(f: () => unknown): string {
  try { f(); } catch (e) { return `${(e as Error).name}: ${(e as Error).message}`; }
  return 'no error';
}
function tolOf(dt: string): [number, number] {
  if (dt === 'float64') return [1e-12, 1e-12];
  if (dt === 'float32') return [1e-6, 1e-6];
  if (dt === 'float16' || dt === 'bfloat16') return [1e-2, 1e-2];
  return [0, 0];
}
// atomic float sums in the hardware's order: 16-bit types round every partial sum to their storage (as the CPU), so
// a different order moves the result by a few ulps of the partial sums (values here up to ~10)
function orderTolOf(dt: string): [number, number] {
  if (dt === 'bfloat16') return [2e-2, 0.1];
  if (dt === 'float16') return [1e-2, 2e-2];
  return tolOf(dt);
}
// deterministic pseudo-random integers in [lo, hi)
function ints(n: number, lo: number, hi: number, seed: number): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(lo + (s % (hi - lo)));
  }
  return out;
}
function randOf(shape: number[], dt: string, seed: number): T {
  const n = shape.reduce((a, b) => a * b, 1);
  if (dt === 'bool') return torch.tensor(ints(n, 0, 2, seed).map((v) => v === 1)).reshape(shape);
  if ((INTS as readonly string[]).includes(dt)) return torch.tensor(ints(n, dt === 'uint8' ? 0 : -5, 6, seed), { dtype: dt as torch.DType }).reshape(shape);
  torch.manualSeed(seed);
  return torch.randn(shape, { dtype: 'float64' }).to(dt as torch.DType);
}

describe('scan (cumsum / cumprod): block scan per row, multi-block for long rows', () => {
  it('row lengths 1, 31, 1025, 70000, many and few rows, every dtype, strided', () => {
    const shapes: number[][] = [[1], [31], [1025], [70000], [3, 70000], [700, 31], [5, 1], [2, 3, 1025]];
    for (const dt of [...FLOATS, ...INTS, 'bool'] as const) {
      for (const sh of shapes) {
        if (dt !== 'float32' && dt !== 'int64' && sh.reduce((a, b) => a * b, 1) > 80000) continue;  // keep the emulator quick
        const x = randOf(sh, dt, sh.length * 7 + sh[sh.length - 1]);
        const g = x.to('cuda');
        const [rt, at] = tolOf(dt);
        expectClose(g.cumsum(-1).cpu(), x.cumsum(-1), rt, at * 100, `cumsum ${dt} [${sh}]`);
        // cumprod of values near 1 (floats) or in {-1, 1, 2} (ints: exact wrap-around either way)
        const y = (dt === 'bool' || (INTS as readonly string[]).includes(dt)) ? x : x.to('float64').mul(0.01).add(1).to(dt as torch.DType);
        expectClose(y.to('cuda').cumprod(-1).cpu(), y.cumprod(-1), rt * 10, at * 10, `cumprod ${dt} [${sh}]`);
      }
    }
    // along a strided dim (dim 0 of a row-major matrix) and of a transposed view
    const m = randOf([1500, 7], 'float64', 3);
    expectClose(m.to('cuda').cumsum(0).cpu(), m.cumsum(0), 1e-12, 1e-12, 'cumsum dim 0');
    const mt = m.t();
    expectClose(mt.to('cuda').cumsum(1).cpu(), mt.cumsum(1), 1e-12, 1e-12, 'cumsum transposed');
    const mi = randOf([1500, 7], 'int64', 4);
    expectEqual(mi.to('cuda').t().cumprod(1).cpu(), mi.t().cumprod(1), 'int64 cumprod transposed');
  });
  it('integer cumsum is exact over 70000 elements (a multi-segment row)', () => {
    const x = torch.tensor(ints(70000, -1000000, 1000000, 11), { dtype: 'int64' });
    expectEqual(x.to('cuda').cumsum(0).cpu(), x.cumsum(0), 'int64 cumsum 70000');
  });
});

describe('var: chunked Welford with a combine step', () => {
  it('few outputs over long ranges, BatchNorm-shaped, every float dtype, strided', () => {
    for (const dt of FLOATS) {
      const cases: [number[], number[]][] = [[[4, 70000], [1]], [[8, 16, 20, 20], [0, 2, 3]], [[1025], [0]], [[31, 5], [0]], [[3, 1], [1]]];
      for (const [sh, dims] of cases) {
        const x = randOf(sh, dt, sh[0] + dims.length).add(3);
        const tol = dt === 'float64' ? 1e-10 : dt === 'float32' ? 1e-5 : 1e-2;
        expectClose(torch.var(x.to('cuda'), dims).cpu(), torch.var(x, dims), tol, tol, `var ${dt} [${sh}] ${dims}`);
        expectClose(torch.var(x.to('cuda'), dims, { correction: 0 }).cpu(), torch.var(x, dims, { correction: 0 }), tol, tol, `var(c=0) ${dt} [${sh}]`);
      }
    }
    const xt = randOf([300, 40], 'float32', 9).t();
    expectClose(torch.var(xt.to('cuda'), [1]).cpu(), torch.var(xt, [1]), 1e-5, 1e-6, 'var strided');
  });
  it('BatchNorm2d training on CUDA matches the CPU', () => {
    const x = randOf([6, 5, 40, 40], 'float32', 21);
    const bn = new torch.nn.BatchNorm2d(5);
    const yc = bn.forward(x);
    const bg = new torch.nn.BatchNorm2d(5).to('cuda');
    const yg = bg.forward(x.to('cuda'));
    expectClose(yg.cpu(), yc, 1e-4, 1e-5, 'batchnorm out');
    expectClose((bg as unknown as { runningVar: T }).runningVar.cpu(), (bn as unknown as { runningVar: T }).runningVar, 1e-5, 1e-6, 'running var');
  });
});

describe('indexing kernels: device-side index checks, parallel scatter / index_add / put', () => {
  it('gather / indexSelect over every dtype, strided sources, repeated indices', () => {
    for (const dt of [...FLOATS, ...INTS, 'bool'] as const) {
      const src = randOf([40, 33], dt, 5);
      const idx = torch.tensor(ints(40 * 70, 0, 33, 6), { dtype: 'int64' }).reshape([40, 70]);
      expectEqual(src.to('cuda').gather(1, idx.to('cuda')).cpu(), src.gather(1, idx), `gather ${dt}`);
      const st = src.t();
      const i2 = torch.tensor(ints(70 * 40, 0, 33, 7), { dtype: 'int64' }).reshape([70, 40]);
      expectEqual(st.to('cuda').gather(0, i2.to('cuda')).cpu(), st.gather(0, i2), `gather strided ${dt}`);
      const sel = torch.tensor(ints(1025, 0, 33, 8), { dtype: 'int64' });
      expectEqual(src.to('cuda').indexSelect(1, sel.to('cuda')).cpu(), src.indexSelect(1, sel), `indexSelect ${dt}`);
    }
  });
  it('scatter (assign / add / multiply), scatterAdd, indexAdd, put with repeated indices, every dtype', () => {
    for (const dt of [...FLOATS, ...INTS, 'bool'] as const) {
      const [rt, at] = orderTolOf(dt);
      const self = randOf([31, 20], dt, 12);
      const idx = torch.tensor(ints(64 * 20, 0, 31, 13), { dtype: 'int64' }).reshape([64, 20]);  // many repeats
      const src = randOf([70, 20], dt, 14);
      const idxv = flat(idx);
      expectAssign(self.to('cuda').scatter(0, idx.to('cuda'), src.to('cuda')).cpu(), self.scatter(0, idx, src),
        idxv.map((v, p) => v * 20 + (p % 20)), src.slice(0, 0, 64), `scatter ${dt}`);
      expectClose(self.to('cuda').scatterAdd(0, idx.to('cuda'), src.to('cuda')).cpu(), self.scatterAdd(0, idx, src), rt, at, `scatterAdd ${dt}`);
      if (dt !== 'bool') {
        const small = (INTS as readonly string[]).includes(dt) ? src : src.to('float64').mul(0.1).add(1).to(dt as torch.DType);
        expectClose(self.to('cuda').scatter(0, idx.to('cuda'), small.to('cuda'), { reduce: 'multiply' }).cpu(),
          self.scatter(0, idx, small, { reduce: 'multiply' }), rt * 10, at, `scatter multiply ${dt}`);
      }
      // along the last dim of a transposed (strided) self
      const selfT = randOf([20, 31], dt, 15).t();
      const idx1 = torch.tensor(ints(31 * 9, 0, 20, 16), { dtype: 'int64' }).reshape([31, 9]);
      expectClose(selfT.to('cuda').scatterAdd(1, idx1.to('cuda'), src.to('cuda')).cpu(), selfT.scatterAdd(1, idx1, src), rt, at, `scatterAdd strided ${dt}`);
      // indexAdd with repeats and alpha
      const ia = torch.tensor(ints(70, 0, 31, 17), { dtype: 'int64' });
      const alpha = dt === 'bool' ? 1 : 2;
      expectClose(self.to('cuda').indexAdd(0, ia.to('cuda'), src.to('cuda'), { alpha }).cpu(), self.indexAdd(0, ia, src, { alpha }), rt, at, `indexAdd ${dt}`);
      // put with repeated (and negative) indices, accumulate and assign
      const pi = torch.tensor(ints(1025, -620, 620, 18), { dtype: 'int64' });
      const ps = randOf([1025], dt, 19);
      expectClose(self.to('cuda').put(pi.to('cuda'), ps.to('cuda'), { accumulate: true }).cpu(), self.put(pi, ps, { accumulate: true }), rt, at, `put accumulate ${dt}`);
      expectAssign(self.to('cuda').put(pi.to('cuda'), ps.to('cuda')).cpu(), self.put(pi, ps), flat(pi).map((v) => (v + 620) % 620), ps, `put ${dt}`);
      // put into a non-contiguous self
      const pt = randOf([20, 31], dt, 20).t();
      expectClose(pt.to('cuda').put(pi.to('cuda'), ps.to('cuda'), { accumulate: true }).cpu(), pt.put(pi, ps, { accumulate: true }), rt, at, `put strided ${dt}`);
    }
  });
  it('index_put with accumulate and embedding backward (an expanded index) on CUDA', () => {
    const x = randOf([50, 4], 'float32', 30);
    const rows = torch.tensor(ints(300, 0, 50, 31), { dtype: 'int64' });
    const v = randOf([300, 4], 'float32', 32);
    const gx = x.to('cuda').indexPut_([rows.to('cuda')], v.to('cuda'), { accumulate: true }).cpu();
    expectClose(gx, x.clone().indexPut_([rows], v, { accumulate: true }), 1e-6, 1e-6, 'index_put accumulate');
    const w = randOf([50, 8], 'float32', 33);
    const ids = torch.tensor(ints(4 * 31, 0, 50, 34), { dtype: 'int64' }).reshape([4, 31]);
    const grad = (dev: string): T => {
      const wd = w.to(dev).detach().requiresGrad_();
      torch.nn.functional.embedding(ids.to(dev), wd).mul(torch.arange(8, { dtype: 'float32', device: dev })).sum().backward();
      return wd.grad as T;
    };
    expectClose(grad('cuda').cpu(), grad('cpu'), 1e-6, 1e-6, 'embedding backward');
  });
  it('out-of-range indices throw the CPU\'s TorchError from the device-side check', () => {
    const x = randOf([5, 6], 'float32', 40), g = x.to('cuda');
    const bad = torch.tensor([[0, 1], [2, 7]], { dtype: 'int64' }), badNeg = torch.tensor([1, -9, 2], { dtype: 'int64' });
    const cases: [string, (d: string) => unknown][] = [
      ['gather', (d) => (d === 'cpu' ? x : g).gather(1, bad.to(d))],
      ['scatter', (d) => (d === 'cpu' ? x : g).scatter(1, bad.to(d), 1.5)],
      ['scatterAdd', (d) => (d === 'cpu' ? x : g).scatterAdd(1, bad.to(d), torch.ones([2, 2], { device: d }))],
      ['indexSelect', (d) => (d === 'cpu' ? x : g).indexSelect(1, badNeg.to(d))],
      ['indexAdd', (d) => (d === 'cpu' ? x : g).indexAdd(0, badNeg.to(d), torch.ones([3, 6], { device: d }))],
      ['put', (d) => (d === 'cpu' ? x : g).put(torch.tensor([3, 30, 40], { dtype: 'int64', device: d }), torch.ones([3], { device: d }))],
      ['put negative', (d) => (d === 'cpu' ? x : g).put(torch.tensor([-31], { dtype: 'int64', device: d }), torch.ones([1], { device: d }), { accumulate: true })],
      ['indexPut_', (d) => (d === 'cpu' ? x : g).clone().indexPut_([torch.tensor([1, 5], { dtype: 'int64', device: d })], 0)],
    ];
    for (const [name, f] of cases) {
      const ec = errorOf(() => f('cpu')), eg = errorOf(() => f('cuda'));
      expect([name, ec.startsWith('TorchError')]).toEqual([name, true]);
      expect([name, eg]).toEqual([name, ec]);
    }
    // nothing was written: g is unchanged
    expectEqual(g.cpu(), x, 'untouched after errors');
  });
  it('nonzero by device scan and compaction: sizes across blocks, every dtype, strided, NaN', () => {
    for (const dt of [...FLOATS, ...INTS, 'bool'] as const) {
      for (const sh of [[1], [31], [1025], [70000], [7, 13, 3]]) {
        if (dt !== 'float32' && dt !== 'bool' && sh[0] === 70000) continue;
        const x = randOf(sh, dt, 50 + sh[0]).mul(dt === 'bool' ? true : 1);
        const z = (INTS as readonly string[]).includes(dt) || dt === 'bool' ? x : x.to('float64').gt(0.3).to(dt as torch.DType);
        expectEqual(z.to('cuda').nonzero().cpu(), z.nonzero(), `nonzero ${dt} [${sh}]`);
      }
    }
    const m = torch.tensor([[0, NaN, 1], [0, 0, -0.0], [2, 0, 3]]).t();
    expectEqual(m.to('cuda').nonzero().cpu(), m.nonzero(), 'nonzero strided NaN');
    expectEqual(torch.zeros([0, 3]).to('cuda').nonzero().cpu(), torch.zeros([0, 3]).nonzero(), 'nonzero empty');
    expect(torch.tensor(0).to('cuda').nonzero().shape).toEqual([0, 0]);
  });
});

describe('max_pool2d backward: one thread per input element over the covering windows', () => {
  it('equals the CPU bit for bit (overlapping windows, ties, padding, dilation, ceil mode)', () => {
    const cfgs: [number[], number, Record<string, unknown>][] = [
      [[2, 3, 17, 19], 3, { stride: 2, padding: 1 }],
      [[1, 2, 9, 9], 3, { stride: 1 }],
      [[2, 2, 12, 11], 2, {}],
      [[1, 3, 15, 16], 3, { stride: 2, dilation: 2, padding: 1, ceilMode: true }],
    ];
    for (const [sh, k, opts] of cfgs) {
      for (const dt of ['float32', 'float64'] as const) {
        for (const ties of [false, true]) {
          const x = ties ? torch.ones(sh, { dtype: dt }) : randOf(sh, dt, sh[2]);
          const grad = (dev: string): T => {
            const xd = x.to(dev).detach().requiresGrad_();
            const y = torch.nn.functional.maxPool2d(xd, k, opts) as T;
            y.mul(torch.arange(y.numel(), { dtype: dt, device: dev }).reshape(y.shape).mul(0.37).sin()).sum().backward();
            return xd.grad as T;
          };
          expectEqual(grad('cuda').cpu(), grad('cpu'), `maxpool bw ${dt} [${sh}] ${JSON.stringify(opts)} ties=${ties}`);
        }
      }
    }
  });
});

describe('sort on the device beyond 2,048 elements', () => {
  it('sort / argsort / topk of long rows equal the CPU (stable, NaN, duplicates, every dtype)', () => {
    for (const dt of [...FLOATS, ...INTS, 'bool'] as const) {
      for (const sh of [[2049], [5000], [3, 4100], [70000]]) {
        if (dt !== 'float32' && sh[sh.length - 1] === 70000) continue;
        let x = randOf(sh, dt, 60 + sh[0]);
        if (dt === 'float32' || dt === 'float64') x = torch.where(x.gt(1.5), torch.tensor(NaN, { dtype: dt }), x.mul(4).round());  // NaN and many ties
        const g = x.to('cuda');
        for (const descending of [false, true]) {
          const a = g.sort({ descending, stable: true }), b = x.sort({ descending, stable: true });
          expectEqual(a.values.cpu(), b.values, `sort values ${dt} [${sh}] ${descending}`);
          expectEqual(a.indices.cpu(), b.indices, `sort indices ${dt} [${sh}] ${descending}`);
        }
        if (dt !== 'bool') {
          const a = g.topk(100), b = x.topk(100);
          expectEqual(a.values.cpu(), b.values, `topk ${dt} [${sh}]`);
          expectEqual(a.indices.cpu(), b.indices, `topk indices ${dt} [${sh}]`);
        }
      }
    }
    const t = randOf([3000, 3], 'float64', 70).t();
    expectEqual(t.to('cuda').argsort().cpu(), t.argsort(), 'argsort strided');
  });
});

describe('indexers with fast divisors (multiply-high and shift) on strided and empty operands', () => {
  it('strided elementwise and reductions over 3-4 dims, empty reduced ranges', () => {
    const x = randOf([5, 7, 9, 11], 'float64', 80).permute([2, 0, 3, 1]);
    const y = randOf([9, 5, 11, 7], 'float64', 81);
    expectEqual(x.to('cuda').add(y.to('cuda')).cpu(), x.add(y), 'strided add');
    expectEqual(x.to('cuda').mul(y.to('cuda').transpose(0, 2).transpose(0, 2)).cpu(), x.mul(y), 'strided mul');
    expectClose(x.to('cuda').sum([1, 3]).cpu(), x.sum([1, 3]), 1e-12, 1e-12, 'strided sum');
    expectEqual(x.to('cuda').amax([0, 2]).cpu(), x.amax([0, 2]), 'strided amax');
    const e = torch.zeros([3, 0, 4]);
    expectEqual(e.to('cuda').sum(1).cpu(), e.sum(1), 'sum over an empty dim');
    expectEqual(e.to('cuda').all(1).cpu(), e.all(1), 'all over an empty dim');
    expectEqual(torch.var(e.to('cuda'), [1]).cpu(), torch.var(e, [1]), 'var over an empty dim');
  });
});

describe('float16 / bfloat16 elementwise and reductions (vectorised loads, float32 math)', () => {
  it('contiguous add / mul / unary and sums equal the CPU across odd lengths (the scalar tail)', () => {
    for (const dt of ['float16', 'bfloat16'] as const) {
      for (const n of [1, 7, 31, 1025, 70001]) {
        const a = randOf([n], dt, n), b = randOf([n], dt, n + 1);
        const ga = a.to('cuda'), gb = b.to('cuda');
        expectEqual(ga.add(gb).cpu(), a.add(b), `add ${dt} ${n}`);
        expectEqual(ga.mul(gb).cpu(), a.mul(b), `mul ${dt} ${n}`);
        expectEqual(ga.exp().cpu(), a.exp(), `exp ${dt} ${n}`);
        expectEqual(ga.slice(0, 1).add(gb.slice(0, 1)).cpu(), a.slice(0, 1).add(b.slice(0, 1)), `add offset ${dt} ${n}`);
        expectClose(ga.sum().cpu(), a.sum(), 1e-2, 1e-2, `sum ${dt} ${n}`);
        expectClose(ga.mean().cpu(), a.mean(), 1e-2, 1e-2, `mean ${dt} ${n}`);
      }
    }
  });
});
