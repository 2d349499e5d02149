// creation.ts - the declarations generated from ops.schema's creation rows (zeros ... randn_like, normal) match the
// runtime (test/creation_schema.test.ts): varargs or list sizes, size= by name, the value overloads (arange, randint,
// normal) by count and kind, the keyword-only factory options with their exact types, out=; and what the parser
// refuses does not compile.
import * as torch from 'nodetorch';
import { expectType } from './assert';

type T = torch.Tensor;
const x = torch.randn([2, 3]);
const g = new torch.Generator();
const shape: readonly number[] = x.shape;

// sizes: varargs, a (readonly) list, or by name; the options after either
expectType<T>()(torch.zeros(2, 3));
expectType<T>()(torch.zeros(2, 3, { dtype: 'float64', device: 'cpu', requiresGrad: true }));
expectType<T>()(torch.zeros(shape));
expectType<T>()(torch.zeros(...x.shape));
expectType<T>()(torch.zeros([2, 3], { dtype: torch.int32, out: x }));
expectType<T>()(torch.zeros({ size: [2, 3], dtype: null }));
expectType<T>()(torch.zeros({ size: 3 }));
expectType<T>()(torch.ones(4, { device: torch.device('cpu') }));
expectType<T>()(torch.empty(2, 2, { memoryFormat: torch.contiguousFormat }));
expectType<T>()(torch.rand(2, { generator: g }));
expectType<T>()(torch.randn([2], { generator: null, dtype: 'float64' }));
expectType<T>()(torch.full([2], true));
expectType<T>()(torch.full(shape, torch.tensor(1.5), { out: x }));
expectType<T>()(torch.eye(3, { m: 2 }));
expectType<T>()(torch.eye({ n: 3 }));
expectType<T>()(torch.linspace(0, 1, { steps: 5 }));
expectType<T>()(torch.logspace(0, 1, 5, 2));
expectType<T>()(torch.logspace({ start: 0, end: 1, steps: 3, base: 2 }));
// value overloads
expectType<T>()(torch.arange(5, { out: x }));
expectType<T>()(torch.arange(torch.tensor(5)));
expectType<T>()(torch.arange(1, { end: 5 }));
expectType<T>()(torch.arange(1, 5, 0.5, { requiresGrad: false }));
expectType<T>()(torch.randint(5, [3], { generator: g }));
expectType<T>()(torch.randint(1, 5, shape));
expectType<T>()(torch.randint(1, { high: 5, size: [3] }));
expectType<T>()(torch.randperm(5, { dtype: 'int32', generator: g }));
expectType<T>()(torch.normal(x));
expectType<T>()(torch.normal(x, 2, { generator: g }));
expectType<T>()(torch.normal(0, x));
expectType<T>()(torch.normal(x, x, { out: x }));
expectType<T>()(torch.normal(0, 1, [2, 3], { dtype: 'float64' }));
expectType<T>()(torch.normal(0, 1, { size: [2, 3] }));
expectType<T>()(torch.normal({ mean: x, std: 0.5 }));
// *_like
expectType<T>()(torch.zerosLike(x, { dtype: 'int64', memoryFormat: torch.preserveFormat }));
expectType<T>()(torch.fullLike(x, 2, { requiresGrad: true }));
expectType<T>()(torch.fullLike({ input: x, fillValue: false }));
expectType<T>()(torch.randnLike(x, { device: 'cpu' }));

// tensor, asTensor, frombuffer
expectType<T>()(torch.tensor([[1, 2], [3, 4]], { dtype: 'float32', requiresGrad: true }));
expectType<T>()(torch.tensor(new Float32Array(4)));
expectType<T>()(torch.tensor({ data: [true, false] }));
expectType<T>()(torch.tensor(3n));
expectType<T>()(torch.asTensor(x, { dtype: 'float64', device: 'cpu' }));
expectType<T>()(torch.frombuffer(new ArrayBuffer(8), { dtype: 'float32', count: 1, offset: 4 }));
expectType<T>()(torch.frombuffer({ buffer: new Int32Array(2) }));

// @ts-expect-error tensor's dtype is keyword-only
torch.tensor([1], 'float64');
// @ts-expect-error a string is no tensor data
torch.tensor('1');
// @ts-expect-error nested data holds numbers, bools and bigints
torch.tensor([[1, null]]);
// @ts-expect-error as_tensor's dtype is keyword-only (PyTorch 1.13's runtime too)
torch.asTensor([1], 'float64');
// @ts-expect-error frombuffer reads a TypedArray or an ArrayBuffer
torch.frombuffer([1, 2]);
// @ts-expect-error a number after a list size
torch.zeros([2], 3);
// @ts-expect-error a list inside varargs
torch.zeros(2, [3]);
// @ts-expect-error size given positionally and by name
torch.zeros([2], { size: [3] });
// @ts-expect-error the options are camelCase
torch.zeros(2, { requires_grad: true });
// @ts-expect-error a device name nodetorch does not know
torch.ones(2, { device: 'gpu' });
// @ts-expect-error a generator is a torch.Generator
torch.rand(2, { generator: 5 });
// @ts-expect-error memoryFormat is for empty and the *_like ones
torch.zeros(2, { memoryFormat: torch.channelsLast });
// @ts-expect-error generator is for the random ones
torch.ones(2, { generator: g });
// @ts-expect-error full's size is a list (PyTorch: "must be tuple of SymInts, not int")
torch.full(3, 1);
// @ts-expect-error randint's size is a list (PyTorch: "must be tuple of ints, not int")
torch.randint(3, 10);
// @ts-expect-error randint needs a size
torch.randint(5);
// @ts-expect-error arange takes at most start, end, step
torch.arange(1, 2, 3, 4);
// @ts-expect-error normal(float, float) needs a size
torch.normal(0, 1);
// @ts-expect-error normal's tensor forms take no dtype (the result has mean's)
torch.normal(x, 1, { dtype: 'float64' });
// @ts-expect-error a *_like op takes no size
torch.zerosLike(x, { size: [2] });
// @ts-expect-error out= is a tensor
torch.arange(5, { out: [1] });
