// functional_schema.test.ts - the nn.functional schema rows (lib/ops/ops.schema's "nn.functional: activations,
// dropout, ..." section, lib/nn/functional_impl.ts) against PyTorch 1.13 (test/ref/functional_schema.json, written by
// test/ref/gen_functional_schema.py): conv padding='same' (asymmetric where the total padding is odd) and 'valid',
// the pools' positional return_indices, the losses' deprecated size_average/reduce positions and positional weights,
// mish's in-place form; and the one parser's errors for these functions. (The declarations: test/types/functional_schema.ts.)
import * as fs from 'fs';
import * as path from 'path';
import * as torch from '../lib';

type T = torch.Tensor;
interface Enc { shape: number[]; data: (number | string)[]; dtype: string }
const num = (v: number | string): number => (typeof v === 'number' ? v : v === 'nan' ? NaN : v === 'inf' ? Infinity : -Infinity);
const REF = JSON.parse(fs.readFileSync(path.join(__dirname, 'ref/functional_schema.json'), 'utf8'));
const C = REF.cases;
const F = torch.nn.functional;
const dec = (e: Enc): T => torch.tensor(e.data.map(num), { dtype: e.dtype === 'int64' ? 'int64' : 'float64' }).reshape(e.shape);
function close(got: T, want: Enc, tol = 1e-9, what = ''): void {
  expect([what, got.shape]).toEqual([what, want.shape]);
  const g = got.reshape([-1]).tolist() as number[];
  let worst = 0;
  g.forEach((v, i) => {
    const w = num(want.data[i]);
    // NaN where PyTorch gives NaN (and only there), equal infinities, else the relative difference
    const d = Number.isNaN(w) || Number.isNaN(v) ? (Number.isNaN(w) && Number.isNaN(v) ? 0 : Infinity) : v === w ? 0 : Math.abs(v - w) / (1 + Math.abs(w));
    worst = Math.max(worst, d);
  });
  expect([what, worst < tol ? 0 : worst]).toEqual([what, 0]);
}
const x2 = (): T => dec(C.x2), x1 = (): T => dec(C.x1);

describe("conv padding 'same' / 'valid' (PyTorch 1.13's values; odd total padding goes on the right)", () => {
  for (const k of ['k33', 'k24', 'k32_d21', 'k44_d23']) {
    test(`conv2d ${k}: values and gradients`, () => {
      const c = C[`conv2d_same_${k}`];
      const x = x2().requiresGrad_(true), w = dec(c.w).requiresGrad_(true);
      const y = F.conv2d(x, w, dec(c.b), 1, 'same', c.dilation);
      close(y, c.y);
      expect(y.shape.slice(2)).toEqual(x.shape.slice(2));
      y.pow(2).sum().backward();
      close(x.grad as T, c.gx);
      close(w.grad as T, c.gw);
      const v = C[`conv2d_valid_${k}`];
      close(F.conv2d(x2(), dec(v.w), null, 1, 'valid', v.dilation), v.y);
      // by keyword, the same values
      close(F.conv2d(x2(), { weight: dec(v.w), padding: 'valid', dilation: v.dilation }), v.y);
    });
  }
  for (const k of ['k4', 'k3_d2', 'k2_d3']) {
    test(`conv1d ${k}`, () => {
      const c = C[`conv1d_same_${k}`];
      const x = x1().requiresGrad_(true);
      const y = F.conv1d(x, dec(c.w), null, 1, 'same', c.dilation);
      close(y, c.y);
      y.pow(2).sum().backward();
      close(x.grad as T, c.gx);
    });
  }
  test('conv1d groups with same', () => close(F.conv1d(x1(), dec(C.conv1d_groups_same.w), null, 1, 'same', 1, 3), C.conv1d_groups_same.y));
  test("'same' with a stride, or another string, is PyTorch's error", () => {
    const w = dec(C.conv2d_same_k33.w);
    expect(() => F.conv2d(x2(), w, null, 2, 'same')).toThrow("padding='same' is not supported for strided convolutions");
    expect(() => F.conv2d(x2(), w, null, 1, 'full' as 'same')).toThrow("Invalid padding string: 'full'");  // F.conv2d's (ATen's) message; nn.Conv2d's constructor lists the two
  });
});

describe('pools: return_indices positionally and by keyword', () => {
  test('max_pool2d(input, 3, 2, 1, 1, True, True)', () => {
    const [v, i] = F.maxPool2d(x2(), 3, 2, 1, 1, true, true);
    close(v, C.max_pool2d_pos.v); expect(i.tolist()).toEqual(dec(C.max_pool2d_pos.i).tolist()); expect(i.dtype).toBe('int64');
    const [v2, i2] = F.maxPool2d(x2(), 3, { stride: 2, padding: 1, ceilMode: true, returnIndices: true });
    expect(v2.tolist()).toEqual(v.tolist()); expect(i2.tolist()).toEqual(i.tolist());
    const only = F.maxPool2d(x2(), 3, 2, 1, 1, true);
    expect(only).toBeInstanceOf(torch.Tensor);
    expect(only.tolist()).toEqual(v.tolist());
  });
  test('max_pool1d, adaptive_max_pool2d, avg_pool2d positionally', () => {
    const [v, i] = F.maxPool1d(x1(), 3, 2, 1, 1, false, true);
    close(v, C.max_pool1d_pos.v); expect(i.tolist()).toEqual(dec(C.max_pool1d_pos.i).tolist());
    const [av, ai] = F.adaptiveMaxPool2d(x2(), [3, 2], true);
    close(av, C.adaptive_max_pool2d_pos.v); expect(ai.tolist()).toEqual(dec(C.adaptive_max_pool2d_pos.i).tolist());
    close(F.avgPool2d(x2(), [3, 2], [2, 1], [1, 0], true, false, null), C.avg_pool2d_pos);
  });
});

describe("losses: PyTorch 1.13's deprecated size_average/reduce positions, positional weights", () => {
  const a = (): T => dec(C.a), b = (): T => dec(C.b), lab = (): T => torch.tensor(C.labels), wt = (): T => dec(C.wt);
  const orNull = (s: string): boolean | null => (s === 'None' ? null : s === 'True');
  for (const key of Object.keys(C.legacy)) {
    test(`size_average, reduce = ${key.replace('_', ', ')}`, () => {
      const [sa, rd] = key.split('_').map(orNull);
      const want = C.legacy[key];
      const emit = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      try {
        close(F.mseLoss(a(), b(), sa, rd), want.mse, 1e-9, 'mse');
        close(F.l1Loss(a(), b(), sa, rd, 'sum'), want.l1, 1e-9, 'l1');
        close(F.smoothL1Loss(a(), b(), sa, rd, 'mean', 0.5), want.smooth_l1, 1e-9, 'smooth_l1');
        close(F.nllLoss(a().logSoftmax(1), lab(), wt(), sa, 2, rd), want.nll, 1e-9, 'nll');
        close(F.crossEntropy(a(), lab(), wt(), sa, -100, rd, 'mean', 0.1), want.ce, 1e-9, 'ce');
        close(F.klDiv(a().logSoftmax(1), b().softmax(1), sa, rd, 'batchmean'), want.kl, 1e-9, 'kl');
        close(F.marginRankingLoss(a().select(0, 0), b().select(0, 0), a().select(0, 1).sign(), 0.3, sa, rd), want.margin, 1e-9, 'margin');
        close(F.poissonNllLoss(a(), b().abs(), true, false, sa, 1e-8, rd), want.poisson, 1e-9, 'poisson');
        // the same by keyword
        close(F.mseLoss(a(), b(), { sizeAverage: sa, reduce: rd }), want.mse);
        // a warning per call where size_average or reduce is given, none otherwise
        expect(emit).toHaveBeenCalledTimes(sa === null && rd === null ? 0 : 9);
      } finally { emit.mockRestore(); }
    });
  }
  test('the legacy reduction warns with PyTorch\'s message', () => {
    const emit = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      F.mseLoss(a(), b(), null, false);
      expect(emit).toHaveBeenCalledWith(C.legacy_warning, 'UserWarning');
    } finally { emit.mockRestore(); }
  });
  test('binary_cross_entropy(_with_logits) with positional weight (and pos_weight)', () => {
    const tgt = b().gt(0).to('float64');
    close(F.binaryCrossEntropy(dec(C.p), tgt, wt(), null, null, 'sum'), C.bce_w);
    close(F.binaryCrossEntropyWithLogits(a(), tgt, wt(), null, null, 'sum', wt().mul(2)), C.bcel_w);
  });
});

describe('mish in place', () => {
  test('values, MishBackward0 and the input gradient (vs PyTorch)', () => {
    const x = dec(C.a).requiresGrad_(true);
    const y = x.clone();
    const r = F.mish(y, true);
    expect(r).toBe(y);
    expect(y.gradFn?.name).toBe(C.mish_inplace.grad_fn);
    close(y, C.mish_inplace.y);
    y.mul(dec(C.b)).sum().backward();
    close(x.grad as T, C.mish_inplace.gx, 1e-10);
    // by keyword
    const z = dec(C.a);
    F.mish({ input: z, inplace: true });
    close(z, C.mish_inplace.y);
  });
});

describe("the one parser's errors for the F rows", () => {
  const x = (): T => torch.randn([1, 1, 4, 4]);
  test('unknown, duplicated, missing, too many, wrong kinds', () => {
    expect(() => F.maxPool2d(x(), 2, { kernel: 2 } as never)).toThrow(/max_pool2d\(\): unexpected option 'kernel'/);
    expect(() => F.maxPool2d(x(), 2, { kernelSize: 2 } as never)).toThrow(/max_pool2d\(\): got multiple values for argument 'kernelSize'/);
    expect(() => F.conv2d(x(), { bias: null } as never)).toThrow(/conv2d\(\): missing required argument 'weight'/);
    expect(() => F.glu(x(), 1, 2 as never)).toThrow(TypeError);
    expect(() => F.maxPool2d(x(), 2, null, 0, 1, false, 1 as never)).toThrow(/max_pool2d\(\): argument 'returnIndices' must be bool/);
    expect(() => F.avgPool2d(x(), '2' as never)).toThrow(/avg_pool2d\(\): argument 'kernelSize' must be int or tuple of ints/);
  });
  test('sizes keep their own checks (PyTorch\'s messages)', () => {
    expect(() => F.maxPool2d(x(), 0)).toThrow(torch.TorchError);
    expect(() => F.mseLoss(x(), x(), { reduction: 'avg' as 'mean' })).toThrow('avg is not a valid value for reduction');
  });
});

describe('functions added as rows: pixel_(un)shuffle, lp_pool1d/2d, local_response_norm, conv_transpose1d (vs PyTorch 1.13)', () => {
  interface VG { x: Enc[]; g: Enc; y: Enc; gx: Enc[] }
  const A = C.added as Record<string, VG>;
  // values, and the inputs' gradients of (y * g).sum() for PyTorch's g
  function check(c: VG, f: (...xs: T[]) => T): void {
    const xs = c.x.map((e) => dec(e).requiresGrad_(true));
    const y = f(...xs);
    close(y, c.y);
    y.mul(dec(c.g)).sum().backward();
    xs.forEach((x, i) => close(x.grad as T, c.gx[i]));
  }
  test('pixel_shuffle / pixel_unshuffle', () => {
    check(A.pixel_shuffle, (x) => F.pixelShuffle(x, 2));
    check(A.pixel_shuffle_5d, (x) => F.pixelShuffle(x, { upscaleFactor: 3 }));
    check(A.pixel_unshuffle, (x) => F.pixelUnshuffle(x, 2));
    const x = dec(A.pixel_shuffle.x[0]);
    expect(F.pixelUnshuffle(F.pixelShuffle(x, 2), 2).tolist()).toEqual(x.tolist());
    expect(() => F.pixelShuffle(torch.zeros([2, 3, 3]), 2)).toThrow("pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=2 is not divisible by 4");
    expect(() => F.pixelUnshuffle(torch.zeros([1, 3, 3]), 2)).toThrow('pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)=3 is not divisible by 2');
    expect(() => F.pixelShuffle(torch.zeros([4, 4]), 2)).toThrow('pixel_shuffle expects input to have at least 3 dimensions, but got input with 2 dimension(s)');
  });
  test('lp_pool2d / lp_pool1d', () => {
    check(A.lp_pool2d_p2, (x) => F.lpPool2d(x, 2, [3, 2]));
    check(A.lp_pool2d_p3_stride_ceil, (x) => F.lpPool2d(x, 3, 2, [2, 1], true));
    check(A.lp_pool1d, (x) => F.lpPool1d(x, 2, 3, { stride: 2 }));
  });
  test('local_response_norm (3-d, 4-d, 5-d inputs)', () => {
    check(A.lrn_3d, (x) => F.localResponseNorm(x, 3));
    check(A.lrn_4d, (x) => F.localResponseNorm(x, 4, 1e-2, 0.75, 2));
    check(A.lrn_5d, (x) => F.localResponseNorm(x, { size: 2, alpha: 0.1, beta: 0.5, k: 1 }));
    expect(() => F.localResponseNorm(torch.zeros([2, 3]), 2)).toThrow('Expected 3D or higher dimensionality input (got 2 dimensions)');
  });
  test('conv_transpose1d (stride, padding, output_padding, dilation, groups, unbatched)', () => {
    check(A.conv_transpose1d, (x, w, b) => F.convTranspose1d(x, w, b, 2, 1, 1, 1, 2));
    check(A.conv_transpose1d_groups, (x, w) => F.convTranspose1d(x, w, null, 1, 0, 0, 2));
    check(A.conv_transpose1d_unbatched, (x, w) => F.convTranspose1d(x, w, { stride: 3 }));
  });
});

describe('F.interpolate (vs PyTorch 1.13: values and input gradients)', () => {
  interface VG { x: Enc[]; g: Enc; y: Enc; gx: Enc[] }
  const A = C.added as Record<string, VG>;
  function check(c: VG, f: (x: T) => T): void {
    const x = dec(c.x[0]).requiresGrad_(true);
    const y = f(x);
    const name = Object.keys(A).find((k) => A[k] === c) ?? '';
    close(y, c.y, 1e-9, name);
    y.mul(dec(c.g)).sum().backward();
    close(x.grad as T, c.gx[0], 1e-9, `${name} grad`);
  }
  test('nearest: sizes, scale factors (doubling, odd, equal size, downsampling), recompute_scale_factor, 5-d', () => {
    check(A.interp_nearest_size, (x) => F.interpolate(x, [5, 7]));
    check(A.interp_nearest_sf2, (x) => F.interpolate(x, null, 2));
    check(A.interp_nearest_sf_odd, (x) => F.interpolate(x, { scaleFactor: [1.5, 1.7] }));
    check(A.interp_nearest_sf_13, (x) => F.interpolate(x, { scaleFactor: 1.3 }));
    // an output size equal to or double the input's with a scale factor: PyTorch 1.13's forward values (its backward
    // disagrees with its own forward there); nodetorch's gradient is the adjoint of its forward: <y, g> = <x, dx>
    for (const [k, shape, sf] of [['double', [1, 2, 5, 3], [1.5, 2.3]], ['same', [1, 2, 5], 1.1]] as [string, number[], number | number[]][]) {
      const x = torch.arange(shape.reduce((p, q) => p * q, 1), { dtype: 'float64' }).reshape(shape).requiresGrad_(true);
      const y = F.interpolate(x, { scaleFactor: sf });
      close(y, C.interp_nearest_fwd_only[k], 1e-12, k);
      const g = torch.randn(y.shape, { dtype: 'float64' });
      y.mul(g).sum().backward();
      expect(Math.abs((y.mul(g).sum().item() as number) - (x.mul(x.grad as T).sum().item() as number))).toBeLessThan(1e-9);
    }
    check(A.interp_nearest_down, (x) => F.interpolate(x, { scaleFactor: 0.6 }));
    check(A.interp_nearest_recompute, (x) => F.interpolate(x, { scaleFactor: [1.7, 0.8], recomputeScaleFactor: true }));
    check(A.interp_nearest_exact, (x) => F.interpolate(x, [7, 3], null, 'nearest-exact'));
    check(A.interp_nearest_3d_5d, (x) => F.interpolate(x, [3, 4, 5]));
  });
  test('linear, bilinear (align_corners both ways, scale factors, downsampling), trilinear', () => {
    check(A.interp_bilinear, (x) => F.interpolate(x, [7, 5], null, 'bilinear'));
    check(A.interp_bilinear_ac, (x) => F.interpolate(x, [7, 5], null, 'bilinear', true));
    check(A.interp_bilinear_sf, (x) => F.interpolate(x, { scaleFactor: [2.5, 0.7], mode: 'bilinear' }));
    check(A.interp_bilinear_down, (x) => F.interpolate(x, { size: [2, 3], mode: 'bilinear' }));
    check(A.interp_linear, (x) => F.interpolate(x, null, 3, 'linear', false));
    check(A.interp_linear_ac1, (x) => F.interpolate(x, 1, null, 'linear', true));
    check(A.interp_trilinear, (x) => F.interpolate(x, [3, 4, 2], null, 'trilinear'));
  });
  test('area (adaptive average pooling), 1-d, 2-d and 3-d', () => {
    check(A.interp_area, (x) => F.interpolate(x, [3, 2], null, 'area'));
    check(A.interp_area_1d, (x) => F.interpolate(x, 4, null, 'area'));
    check(A.interp_area_3d, (x) => F.interpolate(x, [2, 3, 2], null, 'area'));
  });
  test("PyTorch's errors", () => {
    const x = torch.zeros([1, 1, 4, 4]);
    expect(() => F.interpolate(x, 2, 2)).toThrow('only one of size or scale_factor should be defined');
    expect(() => F.interpolate(x)).toThrow('either size or scale_factor should be defined');
    expect(() => F.interpolate(x, 2, null, 'nearest', true)).toThrow('align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear');
    expect(() => F.interpolate(x, 2, null, 'linear')).toThrow('Got 4D input, but linear mode needs 3D input');
    expect(() => F.interpolate(x, [2, 2, 2])).toThrow(/Input and output must have the same number of spatial dimensions/);
    expect(() => F.interpolate(x.long(), 2, null, 'bicubic')).toThrow('"compute_indices_weights_cubic" not implemented for \'Long\'');
    expect(() => F.interpolate(x, 2, null, 'nearest', null, true)).toThrow('recompute_scale_factor is not meaningful with an explicit size.');
    expect(() => F.interpolate(x, { scaleFactor: '2' as never })).toThrow(/interpolate\(\): argument 'scaleFactor' must be float or tuple of floats/);
  });
});

describe('modules over the added functions (reprs and outputs vs PyTorch 1.13)', () => {
  const nn = torch.nn;
  const M = C.modules as Record<string, { repr: string; y: Enc }>;
  const xm = (): T => dec(C.xm);
  const cases: [string, torch.nn.Module, (x: T) => T][] = [
    ['pixel_shuffle', new nn.PixelShuffle(2), (x) => x],
    ['pixel_unshuffle', new nn.PixelUnshuffle({ downscaleFactor: 3 }), (x) => x],
    ['upsample_sf', new nn.Upsample(null, 2, 'bilinear'), (x) => x],
    ['upsample_size', new nn.Upsample({ size: [5, 9] }), (x) => x],
    ['upsample_sf_tuple', new nn.Upsample({ scaleFactor: [1.5, 2], mode: 'nearest-exact' }), (x) => x],
    ['up_nearest2d', new nn.UpsamplingNearest2d(null, 3), (x) => x],
    ['up_bilinear2d', new nn.UpsamplingBilinear2d({ size: [4, 7] }), (x) => x],
    ['lrn', new nn.LocalResponseNorm(3), (x) => x],
    ['lrn_args', new nn.LocalResponseNorm(2, 0.01, 0.5, 2), (x) => x],
    ['lp2d', new nn.LPPool2d(2, 3), (x) => x],
    ['lp2d_stride', new nn.LPPool2d({ normType: 3, kernelSize: [2, 3], stride: [1, 2], ceilMode: true }), (x) => x],
    ['lp1d', new nn.LPPool1d(2, 3, 2), (x) => x.reshape([1, 4, 36])],
  ];
  for (const [k, m, prep] of cases) {
    test(k, () => {
      expect(m.toString()).toBe(M[k].repr);
      close((m as unknown as { call(x: T): T }).call(prep(xm())), M[k].y, 1e-9, k);
    });
  }
  test('constructor errors', () => {
    expect(() => new nn.PixelShuffle(0)).toThrow(torch.TorchError);
    expect(() => new nn.LocalResponseNorm({ alpha: 0.1 } as never)).toThrow(/missing required argument 'size'/);
    expect(() => new nn.LPPool2d(2)).toThrow(/missing required argument 'kernelSize'/);
  });
});

describe('F.gumbel_softmax (PyTorch 1.13\'s algorithm; the noise comes from the global generator)', () => {
  const logits = (): T => torch.tensor([[Math.log(0.5), Math.log(0.3), Math.log(0.2)]], { dtype: 'float64' });
  test('soft samples: a distribution per row, reproducible under manualSeed, near uniform for a large tau', () => {
    torch.manualSeed(3);
    const y = F.gumbelSoftmax(logits().expand([5, 3]).contiguous(), 0.7);
    expect(y.shape).toEqual([5, 3]);
    close(y.sum(-1), { shape: [5], data: [1, 1, 1, 1, 1], dtype: 'float64' }, 1e-12);
    torch.manualSeed(3);
    expect(F.gumbelSoftmax({ logits: logits().expand([5, 3]).contiguous(), tau: 0.7 }).tolist()).toEqual(y.tolist());
    expect(F.gumbelSoftmax(logits().expand([5, 3]).contiguous(), 0.7).tolist()).not.toEqual(y.tolist());
    const flat = F.gumbelSoftmax(logits(), 1e9).flatten().tolist() as number[];
    for (const v of flat) expect(Math.abs(v - 1 / 3)).toBeLessThan(1e-6);
  });
  test('hard samples: one-hot at the soft sample\'s argmax, with the soft sample\'s gradient (straight-through)', () => {
    const g = torch.tensor([[0.3, -1.2, 2.0], [1.0, 0.5, -0.25]], { dtype: 'float64' });
    const l1 = logits().expand([2, 3]).contiguous().requiresGrad_(true), l2 = logits().expand([2, 3]).contiguous().requiresGrad_(true);
    torch.manualSeed(11);
    const yh = F.gumbelSoftmax(l1, 0.5, true);
    torch.manualSeed(11);
    const ys = F.gumbelSoftmax(l2, 0.5, false);
    for (const row of yh.tolist() as number[][]) expect(row.slice().sort()).toEqual([0, 0, 1]);
    expect(yh.argmax(-1).tolist()).toEqual(ys.argmax(-1).tolist());
    yh.mul(g).sum().backward(); ys.mul(g).sum().backward();
    close(l1.grad as T, { shape: [2, 3], data: (l2.grad as T).flatten().tolist() as number[], dtype: 'float64' }, 1e-12);
  });
  test('the hard samples follow softmax(logits) (the Gumbel-max property), along dim', () => {
    torch.manualSeed(5);
    const n = 6000;
    const y = F.gumbelSoftmax(logits().t().expand([3, n]).contiguous(), 2.0, true, 1e-10, 0);  // classes along dim 0
    const freq = y.mean(1).tolist() as number[];
    [0.5, 0.3, 0.2].forEach((p, i) => expect(Math.abs(freq[i] - p)).toBeLessThan(0.03));
  });
  test('eps is a deprecated no-op (PyTorch\'s warning)', () => {
    const emit = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      F.gumbelSoftmax(logits(), 1, false, 1e-5);
      expect(emit).toHaveBeenCalledWith('`eps` parameter is deprecated and has no effect.', 'UserWarning');
    } finally { emit.mockRestore(); }
  });
});

describe('more losses and adaptive_avg_pool1d as rows (vs PyTorch 1.13: values and gradients)', () => {
  interface VG { x: Enc[]; g: Enc; y: Enc; gx: Enc[] }
  const A = C.added as Record<string, VG>;
  function check(k: string, f: (...xs: T[]) => T): void {
    const c = A[k];
    const xs = c.x.map((e) => dec(e).requiresGrad_(true));
    const y = f(...xs);
    close(y, c.y, 1e-9, k);
    y.mul(dec(c.g)).sum().backward();
    xs.forEach((x, i) => close(x.grad as T, c.gx[i], 1e-9, `${k} grad ${i}`));
  }
  const pm = (): T => torch.tensor([1, -1, 1, -1, -1], { dtype: 'float64' });
  const b = (): T => dec(C.b).narrow(0, 0, 3).narrow(1, 0, 4), wt = (): T => dec(C.wt), ml = (): T => dec(C.ml), mt = (): T => torch.tensor([0, 4, 2]);
  test('soft_margin_loss, hinge_embedding_loss (and a legacy position)', () => {
    check('soft_margin', (x) => F.softMarginLoss(x, pm().expand([3, 5])));
    check('soft_margin_none', (x) => F.softMarginLoss(x, pm().expand([3, 5]), { reduction: 'none' }));
    check('hinge', (x) => F.hingeEmbeddingLoss(x, pm().expand([3, 5]), 0.7));
    const emit = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try { check('hinge_legacy_sum', (x) => F.hingeEmbeddingLoss(x, pm().expand([3, 5]), 1, false)); } finally { emit.mockRestore(); }
  });
  test('cosine_embedding_loss (2-d and 1-d inputs), triplet_margin_loss (swap, p = 1)', () => {
    check('cos_emb', (a, c) => F.cosineEmbeddingLoss(a, c, pm(), 0.2));
    check('cos_emb_1d', (a, c) => F.cosineEmbeddingLoss(a, c, torch.tensor(-1, { dtype: 'float64' }), -0.5, null, null, 'sum'));
    check('triplet', (a, p, n) => F.tripletMarginLoss(a, p, n));
    check('triplet_swap_p1', (a, p, n) => F.tripletMarginLoss(a, p, n, { margin: 2, p: 1, swap: true, reduction: 'none' }));
  });
  test('multilabel_soft_margin_loss, multi_margin_loss (p = 2, weight, 1-d)', () => {
    check('multilabel_soft', (x) => F.multilabelSoftMarginLoss(x, ml()));
    check('multilabel_soft_w', (x) => F.multilabelSoftMarginLoss(x, ml(), wt(), null, null, 'none'));
    check('multi_margin', (x) => F.multiMarginLoss(x, mt()));
    check('multi_margin_p2_w', (x) => F.multiMarginLoss(x, mt(), 2, 0.5, wt(), null, null, 'none'));
    check('multi_margin_1d', (x) => F.multiMarginLoss(x, torch.tensor(3)));
    expect(() => F.multiMarginLoss(dec(A.multi_margin.x[0]), mt(), 3)).toThrow('only p == 1 and p == 2 supported');
  });
  test('gaussian_nll_loss (var below eps: clamped without the clamp\'s gradient; var of the batch shape; heteroscedastic)', () => {
    check('gauss', (x, v) => F.gaussianNllLoss(x, b(), v));
    check('gauss_full_sum', (x, v) => F.gaussianNllLoss(x, b(), v, true, 1e-3, 'sum'));
    check('gauss_hetero_none', (x, v) => F.gaussianNllLoss(x, b(), { var: v, reduction: 'none' }));
    expect(() => F.gaussianNllLoss(b(), b(), b().neg().abs().neg().sub(1))).toThrow('var has negative entry/entries');
    expect(() => F.gaussianNllLoss(b(), b(), torch.ones([2]))).toThrow('var is of incorrect size');
  });
  test('adaptive_avg_pool1d', () => check('adaptive_avg_pool1d', (x) => F.adaptiveAvgPool1d(x, 4)));
});

describe('the loss modules over the added losses (outputs: the PyTorch-checked values above)', () => {
  interface VG { x: Enc[]; y: Enc }
  const A = C.added as Record<string, VG>;
  const nn = torch.nn;
  const X = (k: string, i = 0): T => dec(A[k].x[i]);
  const pm = (): T => torch.tensor([1, -1, 1, -1, -1], { dtype: 'float64' });
  const b = (): T => dec(C.b).narrow(0, 0, 3).narrow(1, 0, 4);
  test('values, reprs, weight as a buffer', () => {
    close(new nn.SoftMarginLoss({ reduction: 'none' }).call(X('soft_margin_none'), pm().expand([3, 5])), A.soft_margin_none.y);
    close(new nn.HingeEmbeddingLoss({ margin: 0.7 }).call(X('hinge'), pm().expand([3, 5])), A.hinge.y);
    close(new nn.CosineEmbeddingLoss({ margin: 0.2 }).call(X('cos_emb'), X('cos_emb', 1), pm()), A.cos_emb.y);
    close(new nn.TripletMarginLoss({ margin: 2, p: 1, swap: true, reduction: 'none' }).call(X('triplet_swap_p1'), X('triplet_swap_p1', 1), X('triplet_swap_p1', 2)), A.triplet_swap_p1.y);
    const mls = new nn.MultiLabelSoftMarginLoss({ weight: dec(C.wt), reduction: 'none' });
    close(mls.call(X('multilabel_soft_w'), dec(C.ml)), A.multilabel_soft_w.y);
    expect(Object.keys(mls.stateDict())).toEqual(['weight']);
    close(new nn.MultiMarginLoss({ p: 2, margin: 0.5, weight: dec(C.wt), reduction: 'none' }).call(X('multi_margin_p2_w'), torch.tensor([0, 4, 2])), A.multi_margin_p2_w.y);
    close(new nn.GaussianNLLLoss({ full: true, eps: 1e-3, reduction: 'sum' }).call(X('gauss_full_sum'), b(), X('gauss_full_sum', 1)), A.gauss_full_sum.y);
    expect(new nn.TripletMarginLoss({ margin: 2 }).toString()).toBe('TripletMarginLoss()');
    expect(new nn.GaussianNLLLoss().toString()).toBe('GaussianNLLLoss()');
    expect(() => new nn.MultiMarginLoss({ p: 3 })).toThrow('only p == 1 and p == 2 supported');
  });
});
