// nn3d.test.ts - conv3d / conv_transpose3d / avg_pool3d / adaptive_avg_pool3d / lp_pool3d / ctc_loss /
// multilabel_margin_loss / triplet_margin_with_distance_loss (functional and module forms) vs PyTorch 1.13
// (test/ref/nn3d.json from test/ref/gen_nn3d.py): values and gradients, errors, reprs.
import * as fs from 'fs';
import * as path from 'path';
import * as torch from '../lib/index';
import { TorchError } from '../lib/errors';

const { nn } = torch;
const F = torch.nn.functional;
type T = torch.Tensor;
interface Case { name: string; inputs: Record<string, { data: unknown; dtype: string }>; kwargs: Record<string, unknown>; out: unknown; outShape: number[]; g: unknown; grads?: Record<string, unknown>; distance?: string | null }
const ref = JSON.parse(fs.readFileSync(path.join(__dirname, 'ref', 'nn3d.json'), 'utf8')) as { cases: Case[] };

const num = (v: unknown): number => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === 'nan' ? NaN : (v as number));
function flat(v: unknown): number[] { return Array.isArray(v) ? v.flatMap(flat) : [num(v)]; }
function close(got: T, want: unknown, what: string): void {
  const a = Array.from(got.double().toTypedArray() as Float64Array), b = flat(want);
  expect([what, a.length]).toEqual([what, b.length]);
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(b[i])) { expect([what, i, a[i]]).toEqual([what, i, b[i]]); continue; }
    if (!(Math.abs(a[i] - b[i]) <= 1e-7 + 1e-6 * Math.abs(b[i]))) throw new Error(`${what}[${i}]: got ${a[i]}, PyTorch ${b[i]}`);
  }
}
const camel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
function kw(k: Record<string, unknown>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(k)) o[camel(key)] = v;
  return o;
}
const cosd = (a: T, b: T): T => F.cosineSimilarity(a, b).neg().add(1);
// the JS form of each case (PyTorch's call in gen_nn3d.py)
function run(c: Case, t: Record<string, T>): T {
  const k = kw(c.kwargs);
  const n = c.name;
  if (n.startsWith('conv3d')) return F.conv3d(t.x, t.w, t.b ?? null, k);
  if (n.startsWith('conv_transpose3d')) return F.convTranspose3d(t.x, t.w, t.b ?? null, k);
  if (n.startsWith('avg_pool3d')) { const { kernelSize, ...rest } = k; return F.avgPool3d(t.x, kernelSize as number, rest); }
  if (n.startsWith('adaptive_avg_pool3d')) return F.adaptiveAvgPool3d(t.x, k.outputSize as number);
  if (n.startsWith('lp_pool3d')) { const { normType, kernelSize, ...rest } = k; return F.lpPool3d(t.x, normType as number, kernelSize as number[], rest); }
  if (n.startsWith('ctc')) {
    const lp = n.includes('leaf') ? t.lp : t.logits.logSoftmax(t.logits.ndim - 1);
    const { inputLengths, targetLengths, ...rest } = k;
    return F.ctcLoss(lp, t.targets, torch.tensor(inputLengths as number[]), torch.tensor(targetLengths as number[]), rest);
  }
  if (n.startsWith('multilabel_margin')) return F.multilabelMarginLoss(t.x, t.target, k);
  if (n.startsWith('triplet_distance')) return F.tripletMarginWithDistanceLoss(t.a, t.p, t.n, { ...k, distanceFunction: c.distance === 'cosine' ? cosd : null });
  throw new Error(`no JS form for ${n}`);
}

describe('vs PyTorch 1.13 (values and gradients)', () => {
  test.each(ref.cases.map((c) => [c.name, c] as [string, Case]))('%s', (_name, c) => {
    const t: Record<string, T> = {};
    for (const [k, v] of Object.entries(c.inputs)) {
      const float = v.dtype === 'float64';
      t[k] = torch.tensor(v.data as number[], { dtype: float ? 'float64' : 'int64', requiresGrad: float && !!c.grads });
    }
    const out = run(c, t);
    expect(out.shape).toEqual(c.outShape);
    expect(out.dtype).toBe('float64');
    close(out, c.out, `${c.name} out`);
    if (c.grads) {
      out.mul(torch.tensor(c.g as number[], { dtype: 'float64' })).sum().backward();
      for (const [k, g] of Object.entries(c.grads)) close(t[k].grad as T, g, `${c.name} grad ${k}`);
    }
  });
});

// the same cases on CUDA (a GPU, or the CUDA emulator: NODETORCH_ADDON=build-emu/...): the composites run on the
// device's conv2d / conv_transpose2d / avg_pool2d kernels and its elementwise ops
const onCuda = torch.cuda.isAvailable() ? describe : describe.skip;
onCuda('on CUDA vs PyTorch 1.13 (values and gradients)', () => {
  const names = ['conv3d basic', 'conv3d groups', 'conv3d same', 'conv_transpose3d stride/pad/outpad', 'avg_pool3d ceil nocip',
    'avg_pool3d divisor', 'adaptive_avg_pool3d (2,None,3)', 'ctc logits mean', 'ctc concatenated blank=2', 'multilabel_margin none', 'triplet_distance cosine swap'];
  test.each(names)('%s', (name) => {
    const c = ref.cases.find((k) => k.name === name) as Case;
    const t: Record<string, T> = {};
    for (const [k, v] of Object.entries(c.inputs)) {
      const float = v.dtype === 'float64';
      t[k] = torch.tensor(v.data as number[], { dtype: float ? 'float64' : 'int64', device: 'cuda' }).requiresGrad_(float && !!c.grads);
    }
    const out = run(c, t);
    expect(out.device.type).toBe('cuda');
    close(out.cpu(), c.out, `${c.name} out`);
    if (c.grads) {
      out.mul(torch.tensor(c.g as number[], { dtype: 'float64', device: 'cuda' })).sum().backward();
      for (const [k, g] of Object.entries(c.grads)) close((t[k].grad as T).cpu(), g, `${c.name} grad ${k}`);
    }
  });
});

describe('modules', () => {
  test('Conv3d: constructor forms, repr, padding modes vs F.pad + conv3d', () => {
    torch.manualSeed(1);
    const m = new nn.Conv3d(2, 4, 3);
    expect(String(m)).toBe('Conv3d(2, 4, kernel_size=(3, 3, 3), stride=(1, 1, 1))');
    expect(m.weight.shape).toEqual([4, 2, 3, 3, 3]);
    const m2 = new nn.Conv3d({ inChannels: 2, outChannels: 4, kernelSize: [1, 2, 3], stride: 2, padding: 1, paddingMode: 'circular', bias: false });
    expect(String(m2)).toBe('Conv3d(2, 4, kernel_size=(1, 2, 3), stride=(2, 2, 2), padding=(1, 1, 1), bias=False, padding_mode=circular)');
    const x = torch.randn([1, 2, 4, 5, 6], { dtype: 'float64' });
    m2.double();
    const want = F.conv3d(F.pad(x, [1, 1, 1, 1, 1, 1], { mode: 'circular' }), m2.weight, null, { stride: 2 });
    close(m2.call(x), want.tolist(), 'Conv3d circular');
    const m3 = new nn.Conv3d(2, 3, 3, 1, 'same');
    expect(m3.call(torch.randn([2, 2, 5, 4, 3])).shape).toEqual([2, 3, 5, 4, 3]);
    expect(() => new nn.Conv3d(2, 3, 3, 2, 'same')).toThrow("padding='same' is not supported for strided convolutions");
  });
  test('ConvTranspose3d: repr, outputSize, shapes', () => {
    const m = new nn.ConvTranspose3d(2, 4, 3, { stride: 2 });
    expect(String(m)).toBe('ConvTranspose3d(2, 4, kernel_size=(3, 3, 3), stride=(2, 2, 2))');
    expect(m.weight.shape).toEqual([2, 4, 3, 3, 3]);
    const x = torch.randn([1, 2, 3, 4, 5]);
    expect(m.call(x).shape).toEqual([1, 4, 7, 9, 11]);
    expect(m.call(x, [8, 10, 12]).shape).toEqual([1, 4, 8, 10, 12]);
    expect(() => m.call(x, [9, 10, 12])).toThrow(TorchError);
    expect(() => new nn.ConvTranspose3d(2, 4, 3, { paddingMode: 'reflect' as 'zeros' })).toThrow('Only "zeros" padding mode is supported for ConvTranspose3d');
  });
  test('AvgPool3d / AdaptiveAvgPool3d / LPPool3d: reprs and forward = functional', () => {
    const x = torch.randn([2, 3, 4, 5, 6]);
    const a = new nn.AvgPool3d(2);
    expect(String(a)).toBe('AvgPool3d(kernel_size=2, stride=2, padding=0)');
    expect(a.call(x).equal(F.avgPool3d(x, 2))).toBe(true);
    const a2 = new nn.AvgPool3d([3, 2, 3], { stride: 1, padding: 1, ceilMode: true, countIncludePad: false, divisorOverride: 4 });
    expect(String(a2)).toBe('AvgPool3d(kernel_size=(3, 2, 3), stride=1, padding=1)');
    expect(a2.call(x).equal(F.avgPool3d(x, [3, 2, 3], 1, 1, true, false, 4))).toBe(true);
    const ad = new nn.AdaptiveAvgPool3d([2, null, 3]);
    expect(String(ad)).toBe('AdaptiveAvgPool3d(output_size=(2, None, 3))');
    expect(ad.call(x).shape).toEqual([2, 3, 2, 5, 3]);
    const lp = new nn.LPPool3d(2, 2);
    expect(String(lp)).toBe('LPPool3d(norm_type=2, kernel_size=2, stride=None, ceil_mode=False)');
    expect(lp.call(x).shape).toEqual([2, 3, 2, 2, 3]);
  });
  test('CTCLoss, MultiLabelMarginLoss, TripletMarginWithDistanceLoss, NLLLoss2d', () => {
    const lp = torch.randn([10, 2, 5], { dtype: 'float64' }).logSoftmax(2);
    const tg = torch.tensor([[1, 2, 3], [4, 4, 1]]);
    const il = torch.tensor([10, 8]), tl = torch.tensor([3, 2]);
    const c = new nn.CTCLoss({ blank: 0, reduction: 'sum', zeroInfinity: true });
    expect(String(c)).toBe('CTCLoss()');
    expect(c.call(lp, tg, il, tl).item()).toBeCloseTo(F.ctcLoss(lp, tg, il, tl, { reduction: 'sum' }).item(), 12);
    expect(new nn.CTCLoss(1).blank).toBe(1);
    const x = torch.randn([3, 4]), y = torch.tensor([[1, -1, 0, 0], [0, 1, 2, 3], [3, 3, -1, 2]]);
    expect(new nn.MultiLabelMarginLoss({ reduction: 'sum' }).call(x, y).item()).toBeCloseTo(F.multilabelMarginLoss(x, y, { reduction: 'sum' }).item(), 6);
    const t = new nn.TripletMarginWithDistanceLoss({ margin: 0.5, swap: true });
    expect(String(t)).toBe('TripletMarginWithDistanceLoss(\n  (distance_function): PairwiseDistance()\n)');
    const a = torch.randn([4, 3]), p = torch.randn([4, 3]), n = torch.randn([4, 3]);
    expect(t.call(a, p, n).item()).toBeCloseTo(F.tripletMarginWithDistanceLoss(a, p, n, { margin: 0.5, swap: true }).item(), 6);
    const manh = (u: T, v: T): T => u.sub(v).abs().sum(-1);
    const t2 = new nn.TripletMarginWithDistanceLoss({ distanceFunction: manh, reduction: 'none' });
    expect(String(t2)).toBe('TripletMarginWithDistanceLoss()');
    close(t2.call(a, p, n), manh(a, p).sub(manh(a, n)).add(1).clampMin(0).tolist(), 'manhattan triplet');
    expect(() => new nn.TripletMarginWithDistanceLoss({ margin: 0 })).toThrow('TripletMarginWithDistanceLoss: expected margin to be greater than 0, got 0 instead');
    const nl = new nn.NLLLoss2d({ ignoreIndex: 1 });
    const inp = torch.randn([2, 3, 4, 4]).logSoftmax(1), tgt = torch.randint(0, 3, [2, 4, 4]);
    expect(nl.call(inp, tgt).item()).toBeCloseTo(F.nllLoss(inp, tgt, { ignoreIndex: 1 }).item(), 6);
    expect(nl).toBeInstanceOf(nn.NLLLoss);
  });
  test('Identity takes and ignores any constructor arguments; Container (deprecated) registers its keyword modules', () => {
    const id = new nn.Identity(54, { unusedArgument1: 0.1, unusedArgument2: false });
    const x = torch.randn([2, 3]);
    expect(id.call(x)).toBe(x);
    expect(String(id)).toBe('Identity()');
    const c = new nn.Container({ lin: new nn.Linear(2, 3) });
    expect(c.namedParameters().map(([k]) => k)).toEqual(['lin.weight', 'lin.bias']);
  });
});

test('ctc_loss: float32 as float64, its node CtcLossBackward0, one backward node per call', () => {
  const c = ref.cases.find((k) => k.name === 'ctc logits none') as Case;
  const logits = torch.tensor(c.inputs.logits.data as number[], { dtype: 'float32' }).logSoftmax(2).detach().requiresGrad_();
  const k = kw(c.kwargs);
  const l = F.ctcLoss(logits, torch.tensor(c.inputs.targets.data as number[]), torch.tensor(k.inputLengths as number[]), torch.tensor(k.targetLengths as number[]), { reduction: 'none' });
  expect(l.dtype).toBe('float32');
  expect(l.gradFn?.name).toBe('CtcLossBackward0');
  const want = flat(c.out);
  (l.tolist() as number[]).forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(want[i]))));
});

describe('errors as PyTorch', () => {
  test('conv3d', () => {
    expect(() => F.conv3d(torch.randn([2, 2, 5, 5, 5]), torch.randn([4, 3, 3, 3, 3]))).toThrow('Given groups=1, weight of size [4, 3, 3, 3, 3], expected input[2, 2, 5, 5, 5] to have 3 channels, but got 2 channels instead');
    expect(() => F.conv3d(torch.randn([2, 2, 5, 5]), torch.randn([4, 2, 3, 3]))).toThrow(TorchError);
    expect(() => F.conv3d(torch.randn([2, 5, 5]), torch.randn([4, 2, 3, 3, 3]))).toThrow('Expected 4D (unbatched) or 5D (batched) input to conv3d, but got input of size: [2, 5, 5]');
    expect(() => F.conv3d(torch.randn([1, 2, 2, 5, 5]), torch.randn([4, 2, 3, 3, 3]))).toThrow("Kernel size can't be greater than actual input size");
  });
  test('avg_pool3d', () => {
    expect(() => F.avgPool3d(torch.randn([2, 5, 5]), 2)).toThrow('non-empty 4D or 5D (batch mode) tensor expected for input');
    expect(() => F.avgPool3d(torch.randn([1, 2, 5, 5, 5]), 2, { padding: 2 })).toThrow('pad should be smaller than or equal to half of kernel size');
  });
  test('ctc_loss', () => {
    const lp = torch.randn([5, 2, 4]).logSoftmax(2), tg = torch.tensor([[1, 2], [1, 1]]);
    expect(() => F.ctcLoss(lp, tg, torch.tensor([5, 6]), torch.tensor([2, 2]))).toThrow('Expected input_lengths to have value at most 5, but got value 6 (while checking arguments for ctc_loss_cpu)');
    expect(() => F.ctcLoss(lp, tg, torch.tensor([5, 5]), torch.tensor([2, 3]))).toThrow("Expected tensor to have size at least 3 at dimension 1, but got size 2 for argument #2 'targets' (while checking arguments for ctc_loss_cpu)");
    expect(() => F.ctcLoss(lp, tg, torch.tensor([5, 5]), torch.tensor([2, 2]), { blank: 4 })).toThrow('blank must be in label range');
    expect(() => F.ctcLoss(lp, tg, torch.tensor([5]), torch.tensor([2, 2]))).toThrow('input_lengths must be of size batch_size');
  });
  test('multilabel_margin_loss', () => {
    expect(() => F.multilabelMarginLoss(torch.randn([2, 3]), torch.tensor([1, 2]))).toThrow("inconsistent size [2] for argument #2 'target'");
  });
  test('triplet_margin_with_distance_loss', () => {
    expect(() => F.tripletMarginWithDistanceLoss(torch.randn([2, 3]), torch.randn([3]), torch.randn([2, 3]))).toThrow('The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor 2D, positive 1D, and negative 2D inputs');
  });
});
