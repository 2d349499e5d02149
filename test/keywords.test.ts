// keywords.test.ts - PyTorch's keyword names for the leading parameters of the hand-written ops (API.md: every
// argument PyTorch accepts by keyword is accepted in the options object by its camelCase name): the keyword form
// gives exactly the positional form's result (whose values are tested against PyTorch in core/nn/conv tests), and
// unknown, duplicate or missing names are TypeErrors naming the op. (Compile-time side: test/types/keywords.ts.)
import * as torch from '../lib';

const F = torch.nn.functional;
type T = torch.Tensor;
const same = (a: T, b: T): void => {
  expect(a.shape).toEqual(b.shape);
  expect(Array.from(a.contiguous().toTypedArray() as Float32Array)).toEqual(Array.from(b.contiguous().toTypedArray() as Float32Array));
};

describe('keyword forms equal the positional forms', () => {
  torch.manualSeed(0);
  const x = torch.randn([2, 3, 6, 6]);
  const w = torch.randn([4, 3, 3, 3]), b = torch.randn([4]);
  test('varargs shapes: reshape/view shape|size, permute dims, expand size, repeat repeats, tile dims', () => {
    same(x.reshape({ shape: [6, 36] }), x.reshape(6, 36));
    same(torch.reshape(x, { shape: [-1] } as never), x.reshape([-1]));
    same(x.view({ size: [2, 108] }), x.view(2, 108));
    same(x.permute({ dims: [0, 2, 3, 1] }), x.permute(0, 2, 3, 1));
    const y = torch.randn([1, 3]);
    same(y.expand({ size: [4, 3] }), y.expand(4, 3));
    same(y.repeat({ repeats: [2, 3] }), y.repeat(2, 3));
    same(y.tile({ dims: [2] }), y.tile([2]));
  });
  test('pooling: kernelSize in the options object', () => {
    same(F.maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1 }) as T, F.maxPool2d(x, 3, { stride: 2, padding: 1 }) as T);
    const [o, i] = F.maxPool2d(x, { kernelSize: 2, returnIndices: true }) as [T, T];
    const [o2, i2] = F.maxPool2d(x, 2, { returnIndices: true }) as [T, T];
    same(o, o2); expect(Array.from(i.toTypedArray() as BigInt64Array)).toEqual(Array.from(i2.toTypedArray() as BigInt64Array));
    same(F.avgPool2d(x, { kernelSize: 2, countIncludePad: false, padding: 1 }), F.avgPool2d(x, 2, { countIncludePad: false, padding: 1 }));
  });
  test('linear and convolution: weight and bias by name', () => {
    const a = torch.randn([5, 3]), lw = torch.randn([2, 3]), lb = torch.randn([2]);
    same(F.linear(a, { weight: lw, bias: lb }), F.linear(a, lw, lb));
    same(F.linear(a, lw, { bias: lb }), F.linear(a, lw, lb));
    same(F.linear(a, { weight: lw }), F.linear(a, lw));
    same(F.conv2d(x, { weight: w, bias: b, padding: 1, stride: 2 }), F.conv2d(x, w, b, { padding: 1, stride: 2 }));
    const x1 = torch.randn([2, 3, 9]), w1 = torch.randn([4, 3, 3]);
    same(F.conv1d(x1, { weight: w1, dilation: 2 }), F.conv1d(x1, w1, null, { dilation: 2 }));
  });
  test('unfold / fold: kernelSize and outputSize by name', () => {
    same(F.unfold(x, { kernelSize: 2, stride: 2 }), F.unfold(x, 2, { stride: 2 }));
    const c = torch.randn([2, 12, 9]);
    same(F.fold(c, { outputSize: [4, 4], kernelSize: 2 }), F.fold(c, [4, 4], 2));
    same(F.fold(c, [4, 4], { kernelSize: 2 }), F.fold(c, [4, 4], 2));
  });
});

describe('bad keyword use is a TypeError naming the op', () => {
  const x = torch.randn([1, 2, 4, 4]);
  test('missing, unknown, duplicated', () => {
    expect(() => x.reshape({ shap: [2, 16] } as never)).toThrow(/reshape\(\): unexpected option 'shap' \(expected shape\)/);
    expect(() => (x.reshape as unknown as () => unknown)()).toThrow(/reshape\(\): missing required argument 'shape'/);
    expect(() => F.maxPool2d(x, { stride: 1 } as never)).toThrow(/max_pool2d\(\): missing required argument 'kernelSize'/);
    expect(() => F.maxPool2d(x, 2, { kernelSize: 2 } as never)).toThrow(/max_pool2d\(\): got multiple values for argument 'kernelSize'/);
    expect(() => F.linear(torch.randn([2, 3]), { bias: null } as never)).toThrow(/linear\(\): missing required argument 'weight'/);
    expect(() => x.permute({ dims: [0, 1, 2, 3], extra: 1 } as never)).toThrow(TypeError);
    expect(() => F.conv2d(x, { weight: torch.randn([1, 2, 1, 1]) }, { padding: 1 } as never)).toThrow(TypeError);
  });
});
