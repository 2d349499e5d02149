// nn_extra.test.ts - the layers of lib/nn/layers/extra.ts, ParameterList/ParameterDict and ChannelShuffle beyond
// test/nn.test.ts's PyTorch cases (values, gradients, reprs and state-dict keys are there): containers' behaviour,
// positional and keyword constructors, and the errors PyTorch gives for bad input.
import * as torch from '../lib';

const nn = torch.nn;
type T = torch.Tensor;

describe('ParameterList / ParameterDict', () => {
  it('registers tensors as Parameters in order, with PyTorch keys, and trains them', () => {
    torch.manualSeed(0);
    const pl = new nn.ParameterList([torch.randn([3]), torch.randn([2, 2])]);
    expect(pl.length).toBe(2);
    expect(pl.at(0)).toBeInstanceOf(nn.Parameter);
    expect(pl.at(-1).shape).toEqual([2, 2]);
    pl.append(torch.zeros([1]));
    expect(Object.keys(pl.stateDict())).toEqual(['0', '1', '2']);
    pl.set(1, torch.ones([4]));
    expect(pl.at(1).shape).toEqual([4]);
    expect([...pl].map((p) => p.shape[0])).toEqual([3, 4, 1]);
    const opt = new torch.optim.SGD(pl.parameters(), { lr: 1 });
    [...pl].reduce((s: T, p) => s.add(p.sum()), torch.tensor(0)).backward();
    opt.step();
    expect(pl.at(2).item()).toBe(-1);
    expect(() => pl.at(3)).toThrow(torch.TorchError);
    expect(() => (pl as unknown as { call: () => unknown }).call()).toThrow('ParameterList should not be called.');
    expect(() => new nn.ParameterList([torch.tensor([1, 2])])).toThrow(/floating point/);
  });
  it('ParameterDict keeps insertion order, replaces, pops and updates', () => {
    const pd = new nn.ParameterDict({ b: torch.zeros([1]), a: torch.ones([2]) });
    expect(pd.keys()).toEqual(['b', 'a']);
    pd.set('b', torch.ones([3]));
    expect(pd.get('b')?.shape).toEqual([3]);
    pd.update([['c', torch.zeros([2])]]);
    expect(Object.keys(pd.stateDict())).toEqual(['b', 'a', 'c']);
    expect(pd.pop('a').shape).toEqual([2]);
    expect(pd.has('a')).toBe(false);
    expect(() => pd.pop('zz')).toThrow(torch.TorchError);
    class M extends nn.Module { d = new nn.ParameterDict({ w: torch.ones([2]) }); }
    expect(Object.keys(new M().stateDict())).toEqual(['d.w']);
  });
});

describe('ChannelShuffle', () => {
  it('regroups channels as PyTorch (values)', () => {
    const x = torch.arange(6, { dtype: 'float32' }).reshape([1, 6, 1, 1]);
    expect(new nn.ChannelShuffle(2).call(x).flatten().tolist()).toEqual([0, 3, 1, 4, 2, 5]);
    expect(new nn.ChannelShuffle({ groups: 3 }).call(x).flatten().tolist()).toEqual([0, 2, 4, 1, 3, 5]);
  });
  it('refuses channels not divisible by groups', () => {
    expect(() => new nn.ChannelShuffle(4).call(torch.zeros([1, 6, 2, 2]))).toThrow('Number of channels must be divisible by groups. Got 6 channels and 4 groups.');
  });
});

describe('constructors and errors', () => {
  it('take PyTorch positions or keyword names', () => {
    expect(String(new nn.ConstantPad2d({ padding: [1, 2, 3, 4], value: 1 }))).toBe('ConstantPad2d(padding=(1, 2, 3, 4), value=1)');
    expect(String(new nn.InstanceNorm2d(3, 1e-3, 0.2, true))).toBe('InstanceNorm2d(3, eps=0.001, momentum=0.2, affine=True, track_running_stats=False)');
    expect(String(new nn.Fold({ outputSize: 4, kernelSize: 2 }))).toBe('Fold(output_size=4, kernel_size=2, dilation=1, padding=0, stride=1)');
    expect(String(new nn.LSTMCell({ inputSize: 2, hiddenSize: 3, bias: false }))).toBe('LSTMCell(2, 3, bias=False)');
    expect(String(new nn.ConvTranspose1d({ inChannels: 2, outChannels: 3, kernelSize: 2 }))).toBe('ConvTranspose1d(2, 3, kernel_size=(2,), stride=(1,))');
  });
  it('refuse bad arguments and inputs with TorchErrors or TypeErrors', () => {
    expect(() => new nn.ConstantPad1d(2)).toThrow(/missing required argument 'value'/);
    expect(() => new nn.ReflectionPad2d([1, 2])).toThrow(/padding must be an integer or a list of 4 integers/);
    expect(() => new nn.InstanceNorm1d(3, { afine: true } as never)).toThrow(TypeError);
    expect(() => new nn.InstanceNorm2d(3).call(torch.zeros([2, 3]))).toThrow('InstanceNorm2d: expected 3D or 4D input (got 2D input)');
    expect(() => new nn.InstanceNorm1d(3, { affine: true }).call(torch.zeros([2, 4, 5]))).toThrow(/match num_features \(3\), but got: 4/);
    expect(() => new nn.Softmax2d().call(torch.zeros([2, 3]))).toThrow('Softmax2d: expected input to be 3D or 4D, got 2D instead');
    expect(() => new nn.RNNCell(3, 4, true, 'gelu' as never)).toThrow('Unknown nonlinearity: gelu');
    expect(() => new nn.RNNCell(3, 4).call(torch.zeros([2, 5]))).toThrow(/inconsistent input_size: got 5 expected 3/);
    expect(() => new nn.GRUCell(3, 4).call(torch.zeros([2, 3]), torch.zeros([3, 4]))).toThrow(/Input batch size 2 doesn't match hidden0 batch size 3/);
    expect(() => new nn.LSTMCell(3, 4).call(torch.zeros([2, 3]), [torch.zeros([2, 4]), torch.zeros([2, 5])])).toThrow(/hidden1 has inconsistent hidden_size/);
    expect(() => new nn.ConvTranspose1d(2, 2, 3, { stride: 2 }).call(torch.zeros([1, 2, 4]), [20])).toThrow(/requested an output size of \[20\]/);
  });
  it('ConvTranspose1d reaches a requested output size', () => {
    const m = new nn.ConvTranspose1d(2, 2, 3, { stride: 2 });
    expect(m.call(torch.zeros([1, 2, 4])).shape).toEqual([1, 2, 9]);
    expect(m.call(torch.zeros([1, 2, 4]), [10]).shape).toEqual([1, 2, 10]);
  });
});

describe('embedding_bag, max_unpool, dropout3d, feature_alpha_dropout', () => {
  const F = torch.nn.functional;
  it('embedding_bag: keywords, empty bags and PyTorch errors', () => {
    const w = torch.arange(12, { dtype: 'float32' }).reshape([4, 3]);
    expect(F.embeddingBag(torch.tensor([0, 2, 1]), w, torch.tensor([0, 2, 2]), { mode: 'sum' }).tolist()).toEqual([[6, 8, 10], [0, 0, 0], [3, 4, 5]]);
    expect(F.embeddingBag({ input: torch.tensor([[0, 3]]), weight: w, mode: 'max' }).tolist()).toEqual([[9, 10, 11]]);
    expect(() => F.embeddingBag(torch.tensor([0, 1]), w)).toThrow('offsets has to be a 1D Tensor but got None');
    expect(() => F.embeddingBag(torch.tensor([[0, 1]]), w, torch.tensor([0]))).toThrow(/if input is 2D, then offsets has to be None/);
    expect(() => F.embeddingBag(torch.tensor([0, 1]), w, torch.tensor([1]))).toThrow(/offsets\[0\] has to be 0/);
    expect(() => F.embeddingBag(torch.tensor([[0, 1]]), w, null, { perSampleWeights: torch.ones([1, 2]) })).toThrow(/only supported for mode='sum'/);
    expect(() => F.embeddingBag(torch.tensor([[0.5, 1]]), w)).toThrow(/Long, Int/);
  });
  it('max_unpool2d inverts max_pool2d with indices, with gradients', () => {
    const x = torch.randn([1, 2, 4, 4], { requiresGrad: true });
    const [y, i] = F.maxPool2d(x, 2, { returnIndices: true });
    const u = F.maxUnpool2d(y, i, 2);
    expect(u.shape).toEqual([1, 2, 4, 4]);
    expect(u.sum().item()).toBeCloseTo(y.sum().item() as number, 5);
    u.sum().backward();
    expect(x.grad?.sum().item()).toBe(8);
    expect(() => F.maxUnpool2d(y, i, 2, { outputSize: [9, 9] })).toThrow(/invalid output_size/);
    expect(() => F.maxUnpool2d(y, i.float(), 2)).toThrow(/indices should be type int64/);
    expect(() => new nn.MaxUnpool2d(2).call(y, i.narrow(3, 0, 1))).toThrow(/Expected shape of indices to be same as that of the input/);
  });
  it('dropout3d drops whole channels in training and is the identity in eval', () => {
    torch.manualSeed(1);
    const m = new nn.Dropout3d(0.5);
    const y = m.call(torch.ones([4, 6, 2, 2, 2]));
    const per = y.reshape([24, 8]);
    const chans = per.amax(1).tolist() as number[];
    chans.forEach((c, k) => expect(per.select(0, k).tolist()).toEqual(Array(8).fill(c)));
    expect(new Set(chans)).toEqual(new Set([0, 2]));
    m.eval();
    expect(m.call(torch.ones([1, 2, 1, 1, 1])).tolist()).toEqual([[[[[1]]], [[[1]]]]]);
    expect(() => m.train().call(torch.ones([2, 3]))).toThrow(/Expected 4D or 5D input/);
    const fa = new nn.FeatureAlphaDropout(0.3);
    const z = fa.call(torch.zeros([8, 16, 3]));
    expect(z.reshape([128, 3]).amax(1).sub(z.reshape([128, 3]).amin(1)).abs().max().item()).toBe(0);  // channel-wise
  });
});
