// misc.ts - type tests for torch.testing, RNG state, deterministic mode, checkpointing, anomaly mode and the
// torch.utils.data additions (test/misc.test.ts runs them). The @ts-expect-error lines must not compile.
import * as torch from 'nodetorch';
import { expectType } from './assert';

const x = torch.randn([2, 2]);
// torch.testing
expectType<void>()(torch.testing.assertClose(x, x, { rtol: 1e-5, atol: 1e-8, equalNan: true, checkDtype: false, checkStride: true, msg: 'why' }));
torch.testing.assertClose([x, { a: x }], [x, { a: x }], { msg: (m: string) => `context: ${m}` });
expectType<torch.Tensor>()(torch.testing.makeTensor([2, 3], { dtype: 'float32', low: -1, high: 1, noncontiguous: true, requiresGrad: true }));
const err: Error = new torch.testing.AssertionError('x');
// @ts-expect-error rtol must be a number
torch.testing.assertClose(x, x, { rtol: '1e-5' });
// @ts-expect-error PyTorch's snake_case keyword is not an option
torch.testing.assertClose(x, x, { equal_nan: true });
// @ts-expect-error makeTensor needs a dtype (make_tensor has no default)
torch.testing.makeTensor([2], {});

// RNG state
const st: torch.Tensor = torch.getRngState();
torch.setRngState(st);
expectType<torch.Tensor>()(new torch.Generator().getState());
expectType<number[]>()(torch.random.forkRng(() => [1, 2]));
expectType<Promise<number>>()(torch.random.forkRng(async () => 1, { devices: [0] }));
torch.cuda.setRngState(torch.cuda.getRngState(0), 0);
// @ts-expect-error a state is a uint8 tensor, not a number
torch.setRngState(5);

// deterministic algorithms
torch.useDeterministicAlgorithms(true, { warnOnly: true });
expectType<boolean>()(torch.areDeterministicAlgorithmsEnabled());
expectType<boolean>()(torch.isDeterministicAlgorithmsWarnOnlyEnabled());
// @ts-expect-error Python's keyword name
torch.useDeterministicAlgorithms(true, { warn_only: true });

// checkpoint
const lin = new torch.nn.Linear(2, 2);
expectType<torch.Tensor>()(torch.utils.checkpoint.checkpoint((t: torch.Tensor) => lin.call(t), x, { useReentrant: false, preserveRngState: true }));
expectType<torch.Tensor[]>()(torch.utils.checkpoint.checkpoint((a: torch.Tensor, b: torch.Tensor) => [a, b], x, x));
expectType<torch.Tensor>()(torch.utils.checkpoint.checkpointSequential(new torch.nn.Sequential(lin, new torch.nn.ReLU()), 2, x));
// @ts-expect-error the function must return a Tensor or an array of Tensors
torch.utils.checkpoint.checkpoint(() => 3, x);

// anomaly mode
expectType<number>()(torch.autograd.detectAnomaly(() => 1));
torch.autograd.setDetectAnomaly(true, { checkNan: false });
expectType<boolean>()(torch.isAnomalyEnabled());
{ using _g = torch.autograd.detectAnomaly(); }

// torch.utils.data
class Evens extends torch.utils.data.Sampler<number> {
  constructor(private readonly n: number) { super(); }
  get length(): number { return Math.ceil(this.n / 2); }
  *[Symbol.iterator](): Iterator<number> { for (let i = 0; i < this.n; i += 2) yield i; }
}
const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(x), { sampler: new Evens(2) });
void loader;
// @ts-expect-error a Sampler subclass must implement [Symbol.iterator]
class NoIter extends torch.utils.data.Sampler<number> {}
const stack = new torch.utils.data.StackDataset({ a: [1, 2], b: [3, 4] });
expectType<number>()(stack.length);
const chain = new torch.utils.data.ChainDataset<number>([new Set([1, 2]), new Set([3])]);
void chain; void err; void NoIter;
