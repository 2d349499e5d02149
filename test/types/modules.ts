// modules.ts - nn.Module typed from forward, without `any` (API.md, TypeScript): call() and the hooks of built-in
// layers, containers and user subclasses; Module<In, Out> as an interface type; what must not compile beside each.
// (scripts/check-no-any.js checks that no shipped declaration says `any`; test/types_no_any.test.ts runs it.)
import * as torch from 'nodetorch';
import { expectType } from './assert';

type T = torch.Tensor;
const nn = torch.nn;
const x = torch.randn([2, 4]);

// ---- the base class: plain nn.Module takes anything and returns unknown (it was `any`) ----
declare const anyModule: torch.nn.Module;
expectType<unknown>()(anyModule.call(x));
expectType<unknown>()(anyModule.forward(x, 1, 'a'));
// @ts-expect-error unknown until narrowed: no method can be called on it
anyModule.call(x).thisDoesNotExist();
// @ts-expect-error unknown is not a Tensor
const notT: T = anyModule.call(x);

// ---- a user subclass, written as in PyTorch: call() is typed from its forward ----
class Net extends nn.Module {
  fc1 = new nn.Linear(4, 8);
  fc2 = new nn.Linear(8, 2);
  forward(input: T): T { return this.fc2.call(torch.relu(this.fc1.call(input))); }
}
const net = new Net();
expectType<T>()(net.call(x));
expectType<T>()(net.forward(x));
// @ts-expect-error the output is a Tensor: no such method
net.call(x).thisDoesNotExist();
// @ts-expect-error forward takes a Tensor
net.call('x');
// @ts-expect-error forward takes one argument
net.call();
// with `override` (noImplicitOverride) and several inputs
class Pair extends nn.Module {
  override forward(a: T, b: T, opts: { scale?: number } = {}): [T, number] { return [a.add(b).mul(opts.scale ?? 1), 0]; }
}
expectType<[T, number]>()(new Pair().call(x, x));
expectType<[T, number]>()(new Pair().call(x, x, { scale: 2 }));
// @ts-expect-error a misspelt option of the subclass's own forward
new Pair().call(x, x, { scal: 2 });
// a subclass of a subclass keeps its own forward
class Net2 extends Net { override forward(input: T): T { return super.forward(input).neg(); } }
expectType<T>()(new Net2().call(x));

// ---- built-in layers ----
expectType<T>()(new nn.Linear(4, 2).call(x));
expectType<T>()(new nn.MSELoss().call(x, x));
expectType<[T, [T, T]]>()(new nn.LSTM(4, 8).call(torch.randn([3, 2, 4])));
expectType<[T, T]>()(new nn.GRU(4, 8).call(torch.randn([3, 2, 4])));
expectType<[T, T | null]>()(new nn.MultiheadAttention(4, 2).call(x, x, x));
// max pooling: a Tensor, or [output, indices] when built with returnIndices: true (options or positional)
expectType<T>()(new nn.MaxPool2d(2).call(x));
expectType<T>()(new nn.MaxPool2d({ kernelSize: 2 }).call(x));
expectType<[T, T]>()(new nn.MaxPool2d(2, { returnIndices: true }).call(x));
expectType<[T, T]>()(new nn.MaxPool2d(2, 2, 0, 1, true).call(x));
expectType<[T, T]>()(new nn.MaxPool2d({ kernelSize: 2, returnIndices: true }).call(x));
expectType<T>()(new nn.MaxPool2d(2, { returnIndices: false }).call(x));
expectType<[T, T]>()(new nn.MaxPool1d(2, { returnIndices: true }).call(x));
expectType<T>()(new nn.AdaptiveMaxPool2d(1).call(x));
expectType<[T, T]>()(new nn.AdaptiveMaxPool2d(1, true).call(x));
expectType<[T, T]>()(new nn.AdaptiveMaxPool1d({ outputSize: 1, returnIndices: true }).call(x));
declare const flag: boolean;
expectType<T | [T, T]>()(new nn.MaxPool2d(2, { returnIndices: flag }).call(x));
// @ts-expect-error with returnIndices the output is a pair, not a Tensor
new nn.MaxPool2d(2, { returnIndices: true }).call(x).flatten(1);
// @ts-expect-error LSTM's output is its tuple
new nn.LSTM(4, 8).call(x).flatten(1);

// ---- Module<In, Out> as an interface type ----
let layer: torch.nn.Module<[T], T> = new nn.Linear(4, 4);
layer = new nn.ReLU();
layer = new nn.Sequential(new nn.Linear(4, 4), new nn.Tanh());
layer = net;
expectType<T>()(layer.call(x));
// @ts-expect-error an LSTM does not return a Tensor
layer = new nn.LSTM(4, 4);
// @ts-expect-error a loss takes two inputs
layer = new nn.MSELoss();
// every module is an nn.Module
const modules: torch.nn.Module[] = [new nn.Linear(4, 4), new nn.LSTM(4, 4), net, new nn.MaxPool2d(2, { returnIndices: true })];
void modules;
// the transformer's activation is a Tensor -> Tensor module (or 'relu' / 'gelu' / a function)
new nn.TransformerEncoderLayer(8, 2, { activation: new nn.GELU() });
// @ts-expect-error an LSTM is not an activation
new nn.TransformerEncoderLayer(8, 2, { activation: new nn.LSTM(8, 8) });

// ---- Sequential: the first module's input, the last module's output ----
const mlp = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
expectType<T>()(mlp.call(x));
expectType<[T, [T, T]]>()(new nn.Sequential(new nn.Embedding(10, 4), new nn.LSTM(4, 8)).call(torch.tensor([1, 2])));
expectType<T>()(new nn.Sequential(net, new nn.Sigmoid()).call(x));
expectType<T>()(new nn.Sequential().call(x));
expectType<T>()(new nn.Sequential(new Map([['fc', new nn.Linear(4, 2)]])).call(x));
expectType<T>()(new nn.Sequential({ fc: new nn.Linear(4, 2) }).call(x));
const someLayers: torch.nn.Module[] = [new nn.Linear(4, 4)];
expectType<T>()(new nn.Sequential(...someLayers).call(x));
// a CNN trunk ending in max pooling is still Tensor -> Tensor, and fits an `nn.Sequential` field
class Cnn extends nn.Module {
  features: torch.nn.Sequential = new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.ReLU(), new nn.MaxPool2d(2));
  head = new nn.Linear(4, 2);
  forward(img: T): T { return this.head.call(this.features.call(img).flatten(1)); }
}
expectType<T>()(new Cnn().call(x));
expectType<T>()(new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.MaxPool2d(2)).call(x).flatten(1));
// @ts-expect-error a Sequential ending in an LSTM does not fit a Tensor -> Tensor Sequential
const seqT: torch.nn.Sequential = new nn.Sequential(new nn.Linear(4, 4), new nn.LSTM(4, 4));
// @ts-expect-error Sequential takes one input
mlp.call(x, x);
// @ts-expect-error Sequential's output is its last module's
new nn.Sequential(new nn.Linear(4, 4), new nn.LSTM(4, 4)).call(x).flatten();

// ---- ModuleList / ModuleDict: typed by the modules they hold ----
const blocks = new nn.ModuleList([new nn.Linear(4, 4), new nn.Linear(4, 4)]);
let h = x;
for (const b of blocks) h = b.call(h);
expectType<T>()(blocks.at(0).call(h));
expectType<torch.nn.Linear>()(blocks.at(-1));
const mixed = new nn.ModuleList([new nn.Linear(4, 4), new nn.ReLU()]);
for (const m of mixed) h = m.call(h);
// @ts-expect-error a ModuleList of Linear layers takes Linear layers
blocks.append(new nn.ReLU());
const heads = new nn.ModuleDict({ cls: new nn.Linear(4, 3), box: new nn.Linear(4, 4) });
expectType<torch.nn.Linear | undefined>()(heads.get('cls'));
expectType<T>()(heads.get('cls')!.call(x));
expectType<torch.nn.Linear[]>()(heads.values());
const untyped = new nn.ModuleList();
expectType<unknown>()(untyped.at(0).call(x));

// ---- hooks: typed with the module's forward ----
const lin = new nn.Linear(4, 2);
lin.registerForwardHook((m, args, out) => {
  expectType<torch.nn.Linear>()(m);
  expectType<T>()(args[0]);
  expectType<T>()(out);
  return out.mul(2);
});
lin.registerForwardHook((_m, _args, out) => { console.log(out.shape); });
lin.registerForwardPreHook((_m, args) => [args[0].mul(2)]);
lin.registerForwardPreHook((_m, [input]) => input.neg());
lin.registerForwardPreHook(() => undefined, { prepend: true });
new nn.LSTM(4, 8).registerForwardHook((_m, _args, [out, [hn, cn]]) => { expectType<T>()(out); expectType<T>()(hn); expectType<T>()(cn); });
net.registerForwardHook((m, _args, out) => { expectType<Net>()(m); return out.relu(); });
anyModule.registerForwardHook((_m, args, out) => { expectType<unknown[]>()(args); expectType<unknown>()(out); });
// @ts-expect-error a forward hook of a Linear returns a Tensor (or nothing)
lin.registerForwardHook(() => 'replaced');
// @ts-expect-error the output of a Linear is a Tensor
lin.registerForwardHook((_m, _args, out) => { out.thisDoesNotExist(); });
// @ts-expect-error a pre-hook returns the arguments (or one argument), not a number
lin.registerForwardPreHook(() => 3);
// @ts-expect-error hooks take only { prepend }
lin.registerForwardHook(() => undefined, { withKwargs: true });

// ---- forward's types as types ----
expectType<[input: T]>()(null! as torch.nn.ForwardArgs<torch.nn.Linear>);
expectType<[T, [T, T]]>()(null! as torch.nn.ForwardOutput<torch.nn.LSTM>);

// ---- state dicts and torch.load ----
const sd = net.stateDict();
expectType<Record<string, T>>()(sd);
net.loadStateDict(torch.load<torch.nn.StateDict>('net.pt'));
const loaded = torch.load('net.pt');
expectType<unknown>()(loaded);
if (loaded instanceof Map) net.loadStateDict(loaded as Map<string, T>);
// PyTorch's idiom: where the value goes says what it is (T is inferred from loadStateDict's parameter)
net.loadStateDict(torch.load('net.pt'));
// @ts-expect-error on its own it is unknown
torch.load('net.pt').keys();
// @ts-expect-error a state dict holds tensors
net.loadStateDict({ 'fc1.weight': 1 });
// a container has no forward of its own (calling it throws, as PyTorch's): not a Tensor -> Tensor module
// @ts-expect-error a ModuleList is not a Tensor -> Tensor module
layer = blocks;

// ---- the layers of lib/nn/layers/extra.ts, ConvTranspose1d, MarginRankingLoss, ParameterList/Dict ----
const x3 = torch.randn([2, 3, 5]);
expectType<T>()(new nn.ZeroPad2d([1, 1, 2, 0]).call(torch.randn([1, 1, 3, 3])));
expectType<T>()(new nn.ConstantPad1d({ padding: 2, value: 3.5 }).call(x3));
expectType<T>()(new nn.ReflectionPad1d(2).call(x3));
expectType<T>()(new nn.InstanceNorm1d(3, { affine: true }).call(x3));
expectType<T>()(new nn.InstanceNorm2d({ numFeatures: 3, trackRunningStats: true }).call(torch.randn([2, 3, 4, 4])));
expectType<T>()(new nn.CosineSimilarity({ dim: 0 }).call(x, x));
expectType<T>()(new nn.PairwiseDistance(1, { keepdim: true }).call(x, x));
expectType<T>()(new nn.Unfold(2, { stride: 2 }).call(torch.randn([1, 2, 4, 4])));
expectType<T>()(new nn.Fold([4, 5], 2).call(torch.randn([1, 8, 12])));
expectType<T>()(new nn.ConvTranspose1d(3, 4, { kernelSize: 3, stride: 2 }).call(x3));
expectType<T>()(new nn.RNNCell(4, 3, { nonlinearity: 'relu' }).call(x));
expectType<[T, T]>()(new nn.LSTMCell(4, 3).call(x));
expectType<T>()(new nn.GRUCell({ inputSize: 4, hiddenSize: 3, bias: false }).call(x, null));
expectType<T>()(new nn.MarginRankingLoss(0.5).call(x, x, torch.onesLike(x)));
const plist = new nn.ParameterList([torch.randn([2])]);
expectType<torch.nn.Parameter>()(plist.at(0));
expectType<torch.nn.Parameter | undefined>()(new nn.ParameterDict({ a: torch.randn([2]) }).get('a'));
// @ts-expect-error PaddingMode is not an option of the padding layers
new nn.ReflectionPad2d(2, { mode: 'constant' });
// @ts-expect-error a misspelt option
new nn.InstanceNorm1d(3, { afine: true });
// @ts-expect-error RNNCell's nonlinearity is 'tanh' or 'relu'
new nn.RNNCell(4, 3, true, 'gelu');
