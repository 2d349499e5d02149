// rough_edges.test.ts - JavaScript interop and messages a new user meets (issue 11): Symbol.toPrimitive and
// Symbol.iterator on tensors, grad modes scoped to an async function, errors that point at the cause, and
// PyTorch's keyword names accepted as options.
import * as torch from '../lib/index';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

describe('Symbol.toPrimitive', () => {
  test('Number(t) and +t of a one-element tensor are its value (Python float(t))', () => {
    expect(Number(torch.tensor([2.5]))).toBe(2.5);
    expect(+torch.tensor(7)).toBe(7);
    expect(Number(torch.tensor([[3]], { dtype: 'int64' }))).toBe(3);
    expect(Number(torch.tensor(true))).toBe(1);
    expect(Number(torch.tensor([0.5], { dtype: 'float16' }))).toBe(0.5);
  });
  test('a template literal and String() give toString()', () => {
    const t = torch.tensor([1.5, 2]);
    expect(`${t}`).toBe(t.toString());
    expect(String(t)).toBe('tensor([1.5000, 2.0000])');
  });
  test('a + b on tensors is a TypeError naming add, never a string', () => {
    const a = torch.tensor([1, 2]), b = torch.tensor([3, 4]);
    expect(() => (a as unknown as number) + (b as unknown as number)).toThrow(TypeError);
    expect(() => (a as unknown as number) + (b as unknown as number)).toThrow(/a\.add\(b\)/);
    expect(() => (a as unknown as string) + 'x').toThrow(/torch\.add/);
    // a one-element tensor too: `+` gets hint 'default', which is never a silent concatenation
    expect(() => (torch.tensor([1]) as unknown as number) + 1).toThrow(/add/);
  });
  test('arithmetic on a tensor of several elements is a TypeError naming mul, never NaN', () => {
    const a = torch.tensor([1, 2]);
    expect(() => (a as unknown as number) * 2).toThrow(TypeError);
    expect(() => (a as unknown as number) * 2).toThrow(/a\.mul\(b\)/);
    expect(() => Number(a)).toThrow(/only one element tensors can be converted to a number, this one has 2/);
  });
});

describe('Symbol.iterator: over the first dimension', () => {
  test('rows of a 2-D tensor, elements of a 1-D one', () => {
    const t = torch.tensor([[1, 2], [3, 4], [5, 6]]);
    const rows = [...t];
    expect(rows.length).toBe(3);
    expect(rows.map((r) => r.tolist())).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(rows[1].shape).toEqual([2]);
    const out: number[] = [];
    for (const v of torch.tensor([1.5, 2.5])) { expect(v.shape).toEqual([]); out.push(v.item()); }
    expect(out).toEqual([1.5, 2.5]);
    const [a, b] = torch.arange(2);
    expect([a.item(), b.item()]).toEqual([0, 1]);
  });
  test('rows are views (as Python), gradients flow through them', () => {
    const t = torch.zeros([2, 2]);
    for (const row of t) row.fill_(1);
    expect(t.sum().item()).toBe(4);
    const x = torch.tensor([[1, 2], [3, 4]], { dtype: 'float64', requiresGrad: true });
    let s = torch.tensor(0, { dtype: 'float64' });
    for (const row of x) s = s.add(row.mul(row).sum());
    s.backward();
    expect(x.grad!.tolist()).toEqual([[2, 4], [6, 8]]);
  });
  test('a 0-d tensor is not iterable; an empty first dim yields nothing', () => {
    expect(() => [...torch.tensor(1)]).toThrow(/iteration over a 0-d tensor/);
    expect([...torch.zeros([0, 3])]).toEqual([]);
  });
});

describe('grad modes scoped to an async function', () => {
  test('noGrad(async fn) holds across awaits inside fn, and not in concurrent code', async () => {
    const w = torch.ones([2], { requiresGrad: true });
    const seen: boolean[] = [];
    const inside = torch.noGrad(async () => {
      seen.push(torch.isGradEnabled());
      await tick();
      seen.push(torch.isGradEnabled());
      return w.mul(2);
    });
    // the caller (and anything that runs while fn awaits) keeps grad mode on
    expect(torch.isGradEnabled()).toBe(true);
    const outside = w.mul(2);
    expect(outside.requiresGrad).toBe(true);
    const r = await inside;
    expect(seen).toEqual([false, false]);
    expect(r.requiresGrad).toBe(false);
    expect(torch.isGradEnabled()).toBe(true);
  });
  test('two overlapping async noGrad / enableGrad calls each keep their own mode', async () => {
    const w = torch.ones([2], { requiresGrad: true });
    const a = torch.noGrad(async () => { await tick(); const y = w.mul(2); await tick(); return [torch.isGradEnabled(), y.requiresGrad]; });
    const b = torch.noGrad(async () => torch.enableGrad(async () => { await tick(); await tick(); return [torch.isGradEnabled(), w.mul(2).requiresGrad]; }));
    expect(await a).toEqual([false, false]);
    expect(await b).toEqual([true, true]);
    expect(torch.isGradEnabled()).toBe(true);
  });
  test('inferenceMode(async fn): tensors made after an await are inference tensors; the mode ends with fn', async () => {
    const r = await torch.inferenceMode(async () => { await tick(); return [torch.isInferenceModeEnabled(), torch.ones(1)] as const; });
    expect(r[0]).toBe(true);
    expect(() => r[1].requiresGrad_()).toThrow(/inference tensor/);
    expect(torch.isInferenceModeEnabled()).toBe(false);
    expect(torch.ones(1).requiresGrad_().requiresGrad).toBe(true);
  });
  test('a rejected async fn restores nothing global and rethrows', async () => {
    await expect(torch.noGrad(async () => { await tick(); throw new Error('boom'); })).rejects.toThrow('boom');
    expect(torch.isGradEnabled()).toBe(true);
  });
  test('synchronous forms are unchanged: function, guard, nesting', () => {
    expect(torch.noGrad(() => torch.isGradEnabled())).toBe(false);
    {
      using _g = torch.noGrad();
      expect(torch.isGradEnabled()).toBe(false);
      expect(torch.enableGrad(() => torch.isGradEnabled())).toBe(true);
    }
    expect(torch.isGradEnabled()).toBe(true);
  });
});

describe('messages that point at the cause', () => {
  const INT_HINT = /torch\.tensor\(\[1\.0, 2\.0\]\) is int64, because 1\.0 === 1 in JavaScript; pass \{ dtype: 'float32' \}/;
  test('an int64 tensor made from JS numbers reaching a float-only op says why it is int64', () => {
    const t = torch.tensor([1.0, 2.0]);
    expect(t.dtype).toBe('int64');
    expect(() => t.mean()).toThrow(/mean\(\): could not infer output dtype/);
    expect(() => t.mean()).toThrow(INT_HINT);
    expect(() => new torch.nn.Linear(2, 1).call(torch.tensor([[1.0, 2.0]]))).toThrow(INT_HINT);
    expect(() => new torch.nn.Conv2d(1, 1, 1).call(torch.ones([1, 1, 2, 2], { dtype: 'int64' }))).toThrow(INT_HINT);
    expect(() => torch.tensor([1, 2]).div_(2)).toThrow(/result type Float can't be cast to the desired output type Long/);
    expect(() => torch.tensor([1, 2]).div_(2)).toThrow(INT_HINT);
    expect(() => torch.tensor([1, 2]).mul_(0.5)).toThrow(INT_HINT);
    expect(() => torch.tensor([1, 2]).sqrt_()).toThrow(INT_HINT);
    // the float forms work, and other dtypes get no such note
    expect(torch.tensor([1.0, 2.0], { dtype: 'float32' }).mean().item()).toBe(1.5);
    expect(() => torch.ones(2, { dtype: 'int32' }).mean()).toThrow(/Got: Int$/);
    expect(() => torch.ones(2, { dtype: 'int64' }).mean({ dtype: 'int32' })).not.toThrow(INT_HINT);
  });
  test('a wrong-shaped cross-entropy target says which shapes were expected', () => {
    const F = torch.nn.functional;
    const x = torch.randn([3, 5]);
    expect(() => F.crossEntropy(x, torch.tensor([[1], [2], [3]]))).toThrow(/multi-target not supported/);
    expect(() => F.crossEntropy(x, torch.tensor([[1], [2], [3]]))).toThrow(/input of shape \[3, 5\].*class indices, shape \[3\] and dtype int64.*got a target of shape \[3, 1\]/);
    expect(() => F.crossEntropy(x, torch.tensor([1, 2]))).toThrow(/Expected input batch_size \(3\) to match target batch_size \(2\)\..*shape \[3\].*got a target of shape \[2\]/);
    expect(() => F.crossEntropy(torch.randn([2, 4, 5]), torch.zeros([2, 6], { dtype: 'int64' }))).toThrow(/Expected target size torch.Size\(\[2, 5\]\), got torch.Size\(\[2, 6\]\).*shape \[2, 5\]/);
    expect(() => F.crossEntropy(x, torch.rand([3, 4]))).toThrow(/class probabilities of the input's shape \[3, 5\]; got \[3, 4\]/);
    expect(() => F.nllLoss(x.logSoftmax(1), torch.tensor([[0, 1, 2]]))).toThrow(/got a target of shape \[1, 3\]/);
  });
  test('.numpy() points at toTypedArray()', () => {
    expect(() => torch.ones(2).numpy()).toThrow(torch.TorchError);
    expect(() => torch.ones(2).numpy()).toThrow(/numpy\(\).*t\.toTypedArray\(\)/);
  });
  test("to('gpu') says which devices exist", () => {
    const devs = torch.cuda.isAvailable() ? /devices here: 'cpu', 'cuda'.*'cuda:0'/ : /devices here: 'cpu' only/;
    expect(() => torch.ones(2).to('gpu' as 'cpu')).toThrow(/to\(\): 'gpu' is neither a device nor a dtype/);
    expect(() => torch.ones(2).to('gpu' as 'cpu')).toThrow(devs);
    expect(() => torch.ones(2).to('gpu' as 'cpu')).toThrow(/dtypes: float32, float64/);
    expect(() => torch.ones(2, { device: 'gpu' })).toThrow(devs);
    expect(() => torch.device('gpu')).toThrow(/device string: gpu \(devices here/);
    expect(torch.ones(2).to('float64').dtype).toBe('float64');
    expect(torch.ones(2).to('torch.half').dtype).toBe('float16');
  });
});

describe("keyword-style arguments with PyTorch's names", () => {
  const nn = torch.nn;
  test('new nn.Linear({ inFeatures, outFeatures, bias }) equals the positional form', () => {
    torch.manualSeed(3);
    const a = new nn.Linear({ inFeatures: 4, outFeatures: 2 });
    torch.manualSeed(3);
    const b = new nn.Linear(4, 2);
    expect(a.weight.shape).toEqual([2, 4]);
    expect(a.weight.equal(b.weight)).toBe(true);
    expect(a.bias!.equal(b.bias!)).toBe(true);
    expect(String(a)).toBe('Linear(in_features=4, out_features=2, bias=True)');
    const c = new nn.Linear({ inFeatures: 3, outFeatures: 5, bias: false, dtype: 'float64' });
    expect(c.bias).toBeNull();
    expect(c.weight.dtype).toBe('float64');
    expect(new nn.Linear(3, { outFeatures: 2 } as never).weight.shape).toEqual([2, 3]);
    expect(() => new nn.Linear({ inFeatures: 4 } as never)).toThrow(/Linear\(\): missing required argument 'outFeatures'/);
    expect(() => new nn.Linear({ inFeatures: 4, outFeatures: 2, bais: false } as never)).toThrow(/unexpected option 'bais'/);
    expect(() => new nn.Linear(4, { inFeatures: 4, outFeatures: 2 } as never)).toThrow(/multiple values for argument 'inFeatures'/);
  });
  test('new nn.Conv2d(3, 10, { kernelSize: 3, padding: 1 }) and the all-keyword form', () => {
    const c = new nn.Conv2d(3, 10, { kernelSize: 3, padding: 1 });
    expect(c.weight.shape).toEqual([10, 3, 3, 3]);
    expect(c.call(torch.randn([1, 3, 8, 8])).shape).toEqual([1, 10, 8, 8]);
    expect(String(c)).toBe('Conv2d(3, 10, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))');
    const d = new nn.Conv2d({ inChannels: 1, outChannels: 2, kernelSize: [3, 1], stride: 2, bias: false });
    expect(d.weight.shape).toEqual([2, 1, 3, 1]);
    expect(d.bias).toBeNull();
    expect(new nn.Conv1d(2, 4, { kernelSize: 3 }).weight.shape).toEqual([4, 2, 3]);
    expect(new nn.ConvTranspose2d(4, 2, { kernelSize: 2, stride: 2 }).call(torch.randn([1, 4, 3, 3])).shape).toEqual([1, 2, 6, 6]);
    expect(() => new nn.Conv2d(3, 10, { padding: 1 } as never)).toThrow(/missing required argument 'kernelSize'/);
  });
  test('new nn.MaxPool2d({ kernelSize: 2 }): no [object Object] in the repr', () => {
    const m = new nn.MaxPool2d({ kernelSize: 2 });
    expect(String(m)).toBe('MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)');
    expect(m.call(torch.randn([1, 1, 4, 4])).shape).toEqual([1, 1, 2, 2]);
    expect(String(new nn.MaxPool2d({ kernelSize: 3, stride: 1, padding: 1 }))).toBe('MaxPool2d(kernel_size=3, stride=1, padding=1, dilation=1, ceil_mode=False)');
    expect(String(new nn.AvgPool2d({ kernelSize: 2 }))).not.toMatch(/object Object/);
    expect(String(new nn.AdaptiveAvgPool2d({ outputSize: 1 }))).toBe('AdaptiveAvgPool2d(output_size=1)');
  });
  test('new transforms.RandomHorizontalFlip({ p: 0.5 }) and the other single-probability transforms', () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { transforms } = require('../lib/vision') as typeof import('../lib/vision');
    const f = new transforms.RandomHorizontalFlip({ p: 1 });
    expect(f.p).toBe(1);
    const img = torch.arange(6, { dtype: 'float32' }).reshape([1, 2, 3]);
    expect(f.call(img)).toBeInstanceOf(torch.Tensor);
    expect((f.call(img) as torch.Tensor).tolist()).toEqual([[[2, 1, 0], [5, 4, 3]]]);
    expect(new transforms.RandomHorizontalFlip({}).p).toBe(0.5);
    expect(String(new transforms.RandomHorizontalFlip({ p: 0.25 }))).toBe('RandomHorizontalFlip(p=0.25)');
    expect(new transforms.RandomVerticalFlip({ p: 0 }).p).toBe(0);
    expect(new transforms.RandomGrayscale({ p: 0.3 }).p).toBe(0.3);
    expect(new transforms.Grayscale({ numOutputChannels: 3 }).numOutputChannels).toBe(3);
    expect(() => new transforms.RandomHorizontalFlip({ prob: 0.5 } as never)).toThrow(/unexpected option 'prob'/);
    expect(() => new transforms.RandomHorizontalFlip({ p: 2 })).toThrow(/p should be a probability in \[0, 1\], got 2$/);
  });
  test('torch.flatten(x, { startDim }), x.transpose({ dim0, dim1 }), F.adaptiveAvgPool2d(x, { outputSize })', () => {
    const x = torch.arange(24).reshape([2, 3, 4]);
    expect(torch.flatten(x, { startDim: 1 }).shape).toEqual([2, 12]);
    expect(x.flatten({ endDim: 1 }).shape).toEqual([6, 4]);
    expect(torch.flatten(x, 1).equal(torch.flatten(x, { startDim: 1 }))).toBe(true);
    expect(x.transpose({ dim0: 0, dim1: 2 }).equal(x.transpose(0, 2))).toBe(true);
    expect(torch.transpose(x, { dim0: 0, dim1: 1 }).shape).toEqual([3, 2, 4]);
    const img = torch.randn([1, 2, 4, 4]);
    const F = torch.nn.functional;
    expect(F.adaptiveAvgPool2d(img, { outputSize: 1 }).equal(F.adaptiveAvgPool2d(img, 1))).toBe(true);
    expect(() => torch.flatten(x, { startDim: 1, dim: 2 } as never)).toThrow(/flatten\(\): unexpected option 'dim'/);
    expect(() => x.transpose({ dim0: 0 } as never)).toThrow(/missing required argument 'dim1'/);
    expect(() => F.adaptiveAvgPool2d(img, { size: 1 } as never)).toThrow(TypeError);
  });
});
