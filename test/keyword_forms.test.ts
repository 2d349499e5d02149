// keyword_forms.test.ts - the run-time side of test/types/keywords_forms.ts: the keyword forms declared for the
// hand-written ops (positional prefix + named rest merged with the op's own options) run, and give what the
// positional call gives. (Name coverage against PyTorch's signatures: test/keyword_audit.test.ts.)
import * as torch from '../lib';

const F = torch.nn.functional;
const same = (got: unknown, want: unknown): void => {
  if (got instanceof torch.Tensor && want instanceof torch.Tensor) {
    expect(got.shape).toEqual(want.shape);
    expect(got.dtype).toBe(want.dtype);
    expect(got.tolist()).toEqual(want.tolist());
  } else if (Array.isArray(got) && Array.isArray(want)) {
    expect(got.length).toBe(want.length);
    got.forEach((g, i) => same(g, want[i]));
  } else {
    expect(got).toEqual(want);
  }
};

describe('keyword forms run as declared', () => {
  torch.manualSeed(0);
  const a = torch.randn([2, 3]);
  const b = torch.randn([3, 4]);
  const v = torch.randn([3]);
  const img = torch.randn([1, 2, 4, 4]);
  const labels = torch.tensor([0, 1]);
  const w = torch.randn([3, 2, 3, 3]);
  const cases: [string, () => unknown, () => unknown][] = [
    ['zeros', () => torch.zeros({ size: [2, 3] }), () => torch.zeros([2, 3])],
    ['ones + dtype', () => torch.ones({ size: [2, 3], dtype: 'float64' }), () => torch.ones([2, 3], { dtype: 'float64' })],
    ['full', () => torch.full({ size: [2, 2], fillValue: 7 }), () => torch.full([2, 2], 7)],
    ['full prefix + dtype', () => torch.full([2, 2], { fillValue: 7, dtype: 'int64' }), () => torch.full([2, 2], 7, { dtype: 'int64' })],
    ['eye', () => torch.eye({ n: 3, m: 2 }), () => torch.eye(3, 2)],
    ['arange end', () => torch.arange({ end: 5 }), () => torch.arange(5)],
    ['arange start/end/step + dtype', () => torch.arange({ start: 1, end: 5, step: 2, dtype: 'float64' }), () => torch.arange(1, 5, 2, { dtype: 'float64' })],
    ['linspace', () => torch.linspace({ start: 0, end: 1, steps: 5 }), () => torch.linspace(0, 1, 5)],
    ['zerosLike', () => torch.zerosLike({ input: a }), () => torch.zerosLike(a)],
    ['fullLike', () => torch.fullLike(a, { fillValue: 2 }), () => torch.fullLike(a, 2)],
    ['tensor', () => torch.tensor({ data: [1, 2, 3] }), () => torch.tensor([1, 2, 3])],
    ['mm', () => torch.mm({ input: a, mat2: b }), () => torch.mm(a, b)],
    ['mm prefix', () => torch.mm(a, { mat2: b }), () => torch.mm(a, b)],
    ['matmul', () => torch.matmul({ input: a, other: b }), () => torch.matmul(a, b)],
    ['mv', () => torch.mv({ input: a, vec: v }), () => torch.mv(a, v)],
    ['addmm + beta', () => torch.addmm({ input: torch.ones([2, 4]), mat1: a, mat2: b, beta: 0.5 }), () => torch.addmm(torch.ones([2, 4]), a, b, { beta: 0.5 })],
    ['dot', () => torch.dot({ input: v, tensor: v }), () => torch.dot(v, v)],
    ['allclose + opts', () => torch.allclose({ input: a, other: a.add(1e-3), atol: 1e-2 }), () => torch.allclose(a, a.add(1e-3), { atol: 1e-2 })],
    ['permute', () => torch.permute({ input: a, dims: [1, 0] }), () => torch.permute(a, [1, 0])],
    ['reshape', () => torch.reshape(a, { shape: [3, 2] }), () => torch.reshape(a, [3, 2])],
    ['norm', () => torch.norm({ input: a, p: 'fro', dim: null, keepdim: false }), () => torch.norm(a)],
    ['indexPut', () => torch.indexPut({ input: a, indices: [labels], values: torch.ones([2, 3]), accumulate: true }), () => torch.indexPut(a, [labels], torch.ones([2, 3]), { accumulate: true })],
    ['F.dropout eval', () => F.dropout({ input: a, p: 0.2, training: false }), () => F.dropout(a, 0.2, false)],
    ['F.dropout prefix', () => F.dropout(a, { p: 0.2, training: false }), () => F.dropout(a, 0.2, false)],
    ['F.mseLoss + reduction', () => F.mseLoss({ input: a, target: a.mul(2), reduction: 'sum' }), () => F.mseLoss(a, a.mul(2), { reduction: 'sum' })],
    ['F.crossEntropy + smoothing', () => F.crossEntropy({ input: a, target: labels, labelSmoothing: 0.1 }), () => F.crossEntropy(a, labels, { labelSmoothing: 0.1 })],
    ['F.nllLoss prefix', () => F.nllLoss(a, { target: labels }), () => F.nllLoss(a, labels)],
    ['F.marginRankingLoss + margin', () => F.marginRankingLoss({ input1: v, input2: v.mul(2), target: torch.ones([3]), margin: 1 }), () => F.marginRankingLoss(v, v.mul(2), torch.ones([3]), { margin: 1 })],
    ['F.maxPool2d + stride', () => F.maxPool2d({ input: img, kernelSize: 2, stride: 1 }), () => F.maxPool2d(img, 2, { stride: 1 })],
    ['F.avgPool2d', () => F.avgPool2d({ input: img, kernelSize: [2, 2] }), () => F.avgPool2d(img, [2, 2])],
    ['F.adaptiveAvgPool2d', () => F.adaptiveAvgPool2d({ input: img, outputSize: 1 }), () => F.adaptiveAvgPool2d(img, 1)],
    ['F.batchNorm + eps', () => F.batchNorm({ input: img, runningMean: torch.zeros([2]), runningVar: torch.ones([2]), training: false, eps: 1e-3 }), () => F.batchNorm(img, torch.zeros([2]), torch.ones([2]), { training: false, eps: 1e-3 })],
    ['F.layerNorm', () => F.layerNorm({ input: img, normalizedShape: [4, 4] }), () => F.layerNorm(img, [4, 4])],
    ['F.groupNorm prefix + eps', () => F.groupNorm(img, { numGroups: 1, eps: 1e-3 }), () => F.groupNorm(img, 1, { eps: 1e-3 })],
    ['F.conv2d + padding', () => F.conv2d({ input: img, weight: w, padding: 1 }), () => F.conv2d(img, w, null, { padding: 1 })],
    ['F.linear', () => F.linear({ input: a, weight: b.t() }), () => F.linear(a, b.t())],
    ['F.threshold', () => F.threshold({ input: a, threshold: 0.1, value: 0 }), () => F.threshold(a, 0.1, 0)],
    ['F.glu', () => F.glu({ input: img, dim: 1 }), () => F.glu(img, 1)],
    ['F.oneHot', () => F.oneHot({ input: labels, numClasses: 3 }), () => F.oneHot(labels, 3)],
    ['F.pad + mode', () => F.pad({ input: a, pad: [1, 1], mode: 'constant', value: 2 }), () => F.pad(a, [1, 1], { mode: 'constant', value: 2 })],
    ['split', () => a.split({ splitSize: 1 }), () => a.split(1)],
    ['split + dim', () => a.split({ splitSize: [1, 2], dim: 1 }), () => a.split([1, 2], 1)],
    ['Tensor.mm', () => a.mm({ mat2: b }), () => a.mm(b)],
    ['Tensor.addmm prefix + beta', () => torch.ones([2, 4]).addmm(a, { mat2: b, beta: 0 }), () => torch.ones([2, 4]).addmm(a, b, { beta: 0 })],
    ['Tensor.dot', () => v.dot({ tensor: v }), () => v.dot(v)],
    ['Tensor.allclose + atol', () => a.allclose({ other: a, atol: 1e-6 }), () => a.allclose(a, { atol: 1e-6 })],
    ['Tensor.asStrided', () => a.asStrided({ size: [3], stride: [1], storageOffset: 1 }), () => a.asStrided([3], [1], 1)],
    ['Tensor.asStrided prefix', () => a.asStrided([3], { stride: [2] }), () => a.asStrided([3], [2])],
    ['Tensor.fill_', () => a.clone().fill_({ value: 1 }), () => a.clone().fill_(1)],
    ['Tensor.copy_', () => torch.zeros([2, 3]).copy_({ src: a }), () => torch.zeros([2, 3]).copy_(a)],
    ['Tensor.viewAs', () => torch.arange(6).viewAs({ other: a }), () => torch.arange(6).viewAs(a)],
    ['Tensor.view dtype', () => a.view({ dtype: 'int32' }), () => a.view('int32')],
    ['Tensor.to other', () => a.to({ other: labels }), () => a.to(labels)],
    ['Tensor.type dtype', () => a.type({ dtype: 'float64' }), () => a.type('float64')],
    ['Tensor.unsqueeze_', () => a.clone().unsqueeze_({ dim: 0 }), () => a.clone().unsqueeze_(0)],
    ['Tensor.squeeze_', () => a.reshape([1, 2, 3]).clone().squeeze_({ dim: 0 }), () => a.reshape([1, 2, 3]).clone().squeeze_(0)],
    ['Tensor.indexPut_', () => a.clone().indexPut_({ indices: [labels], values: 0 }), () => a.clone().indexPut_([labels], 0)],
    ['Tensor.indexPut prefix', () => a.indexPut([labels], { values: 5, accumulate: true }), () => a.indexPut([labels], 5, { accumulate: true })],
  ];
  test.each(cases)('%s', (_name, kw, pos) => { same(kw(), pos()); });
  // the positional declarations given in keywords.ts where the functions take `unknown` (KeywordTypes' $own)
  test('the declared positional forms of the varargs ops run', () => {
    same(torch.reshape(a, 3, 2), torch.reshape(a, [3, 2]));
    same(torch.permute(a, 1, 0), a.t());
    same(torch.tile(v, [2]).shape, [6]);
    same(torch.arange(1, 5, { dtype: 'float64' }), torch.tensor([1, 2, 3, 4], { dtype: 'float64' }));
    same(torch.arange(1, 5, 2), torch.tensor([1, 3]));
    same(torch.randint(10, [4], { dtype: 'int32' }).dtype, 'int32');
    same(torch.eye(2, { dtype: 'float64' }), torch.tensor([[1, 0], [0, 1]], { dtype: 'float64' }));
    same(torch.full([2], 1.5), torch.tensor([1.5, 1.5]));
    same(torch.randperm(4).sort().values, torch.arange(4));
    const n = torch.norm(a, 2, 1, true);
    same(n.shape, [2, 1]);
    expect(n.allclose(a.pow(2).sum(1, true).sqrt())).toBe(true);
  });
  // the declarations leave a positionally given parameter out of the options object: the run time refuses it too
  test('a parameter given positionally and by name is refused', () => {
    const untyped = (f: unknown) => f as (...x: unknown[]) => unknown;
    expect(() => untyped(F.dropout)(a, 0.2, { training: false, p: 0.3 })).toThrow(/dropout/);
    expect(() => untyped(F.conv2d)(img, w, { weight: w })).toThrow(/conv2d|weight/);
  });
});

describe('Tensor.size / stride / backward by keyword (declared on the class)', () => {
  test('size({ dim }) and stride({ dim }) equal the positional calls; backward({ gradient }) equals backward(gradient)', () => {
    const x = torch.randn([2, 3, 4]).transpose(0, 2);
    expect(x.size({ dim: 0 })).toBe(x.size(0));
    expect(x.stride({ dim: -1 })).toBe(x.stride(-1));
    const g = torch.tensor([1, 2, 3], { dtype: 'float32' });
    const a = torch.randn([3], { requiresGrad: true });
    a.mul(3).backward({ gradient: g });
    const b = a.detach().clone().requiresGrad_(true);
    b.mul(3).backward(g);
    expect(Array.from((a.grad as torch.Tensor).toTypedArray())).toEqual(Array.from((b.grad as torch.Tensor).toTypedArray()));
    expect(() => x.size({ dim: 0, axis: 1 } as unknown as { dim: number })).toThrow(/axis/);
  });
});
