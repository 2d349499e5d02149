// keywords_rest.ts - the last keyword forms of issue 11 (test/keyword_audit.test.ts, its "the last keyword gaps" section
// runs them): layout= and pinMemory= on the creation ops, torch.strided / torch.layout, gather's sparseGrad, expand's
// implicit, type/cuda/to/copy_'s nonBlocking, PyTorch's deprecated add/sub(input, alpha, other), torch.norm's positional
// out and dtype, F.normalize's out, and out= on the rows that take it; what PyTorch refuses does not compile.
import * as torch from 'nodetorch';
import { expectType } from './assert';

type T = torch.Tensor;
const x = torch.randn([2, 3]);
const y = torch.randn([2, 3]);
const idx = torch.tensor([[0, 1, 0], [1, 0, 1]]);
const F = torch.nn.functional;

// layout: torch.strided (or its name) on every creation op and *Like op; the type torch.layout
expectType<T>()(torch.zeros(2, 3, { layout: torch.strided }));
expectType<T>()(torch.ones([2], { layout: 'strided', pinMemory: false }));
expectType<T>()(torch.empty({ size: [2], layout: torch.strided, pinMemory: null }));
expectType<T>()(torch.full([2], 1.5, { layout: torch.strided }));
expectType<T>()(torch.arange(5, { layout: torch.strided }));
expectType<T>()(torch.arange(1, 5, 2, { layout: 'torch.strided', pinMemory: false }));
expectType<T>()(torch.randint(5, [3], { layout: torch.strided }));
expectType<T>()(torch.normal(0, 1, [2], { layout: torch.strided }));
expectType<T>()(torch.eye(3, { layout: torch.strided }));
expectType<T>()(torch.linspace(0, 1, 5, { layout: torch.strided, pinMemory: false }));
expectType<T>()(torch.zerosLike(x, { layout: torch.strided, pinMemory: false }));
expectType<T>()(torch.randnLike(x, { layout: 'strided' }));
expectType<T>()(torch.fullLike(x, 2, { layout: torch.strided }));
expectType<T>()(torch.tensor([1, 2], { pinMemory: false }));
expectType<torch.layout<'strided'>>()(x.layout);
expectType<torch.layout<'strided'>>()(torch.strided);
const lay: torch.Layout = torch.sparseCoo;
expectType<string>()(lay.name);
// @ts-expect-error torch.sparseCoo is a layout nodetorch refuses (a TorchError at run time)
torch.zeros(2, { layout: torch.sparseCoo });
// @ts-expect-error a layout is torch.strided or its name
torch.onesLike(x, { layout: 'sparse' });
// @ts-expect-error pinMemory is a bool
torch.zeros(2, { pinMemory: 'yes' });
// @ts-expect-error as_tensor takes neither layout nor pin_memory (PyTorch's neither)
torch.asTensor([1, 2], { pinMemory: false });

// gather's sparseGrad, expand's implicit (accepted: no sparse gradients, a tracing flag)
expectType<T>()(torch.gather(x, 1, idx, { sparseGrad: false }));
expectType<T>()(x.gather(1, idx, { sparseGrad: false }));
expectType<T>()(x.expand(2, 3, { implicit: true }));
expectType<T>()(x.expand([2, 3], { implicit: false }));
// @ts-expect-error sparseGrad is a bool
torch.gather(x, 1, idx, { sparseGrad: 1 });

// nonBlocking: to, copy_, type, cuda (positionally and by name)
expectType<T>()(x.to('float64', true, true));
expectType<T>()(x.to('cpu', 'float64', true, false));
expectType<T>()(x.to(y, true));
expectType<T>()(x.to('float64', { nonBlocking: true, copy: true }));
expectType<T>()(x.copy_(y, true));
expectType<T>()(x.copy_(y, { nonBlocking: true }));
expectType<T>()(x.type('float64', true));
expectType<T>()(x.type({ dtype: 'float64', nonBlocking: true }));
expectType<string>()(x.type(null, true));
expectType<string>()(x.type({ nonBlocking: true }));
expectType<T>()(x.cuda(0, true));
expectType<T>()(x.cuda(null, { nonBlocking: true, memoryFormat: torch.preserveFormat }));
expectType<T>()(x.cuda({ device: 'cuda:0', nonBlocking: false }));
// @ts-expect-error nonBlocking is a bool
x.type('float64', 'yes');
// @ts-expect-error cuda's options are device, nonBlocking and memoryFormat
x.cuda({ nonblocking: true });

// PyTorch's deprecated add(input, alpha: Number, other) and sub's (function, method, in-place), other also by name
expectType<T>()(torch.add(x, 2, y));
expectType<T>()(torch.add(x, 2, y, { out: torch.empty([0]) }));
expectType<T>()(torch.add(x, 2, { other: y }));
expectType<T>()(torch.sub(x, 0.5, 3));
expectType<T>()(torch.subtract(x, 2, y));
expectType<T>()(x.add(2, y));
expectType<T>()(x.sub(2, { other: y }));
expectType<T>()(x.add_(2, y));
expectType<T>()(x.sub_(2, y));
// @ts-expect-error the deprecated form's alpha is a Number: a tensor second is other, and then no third
torch.add(x, y, y);
// @ts-expect-error the deprecated form gives alpha positionally, so not again by name
torch.add(x, 2, y, { alpha: 3 });

// torch.norm(input, p, dim, keepdim, out, dtype) and Tensor.norm(p, dim, keepdim, dtype): PyTorch's positions
expectType<T>()(torch.norm(x, 2, 1, false, null, 'float64'));
expectType<T>()(torch.norm(x, 2, 1, false, torch.empty([0])));
expectType<T>()(torch.norm(x, 2, 1, false, { out: torch.empty([0]), dtype: 'float64' }));
expectType<T>()(x.norm(2, 1, false, 'float64'));
// @ts-expect-error torch.norm's fifth positional parameter is out, not dtype (PyTorch's TypeError too)
torch.norm(x, 2, 1, false, 'float64');
// F.normalize(input, p, dim, eps, out)
expectType<T>()(F.normalize(x, 2, 1, 1e-12, torch.empty([0])));
expectType<T>()(F.normalize(x, { out: torch.empty([0]) }));

// out= on the rows that take it in PyTorch 1.13
expectType<T>()(torch.softmax(x, 1, { out: torch.empty([0]) }));
expectType<T>()(torch.logSoftmax(x, 1, { out: torch.empty([0]) }));
expectType<T>()(torch.max(x, y, { out: torch.empty([0]) }));
expectType<T>()(torch.min(x, { other: y, out: torch.empty([0]) }));
expectType<T>()(torch.msort(x, { out: torch.empty([0]) }));
expectType<T>()(torch.nanToNum(x, { out: torch.empty([0]) }));
expectType<T>()(torch.std(x, [0], true, false, { out: torch.empty([0]) }));
expectType<T>()(torch.var(x, [0], { correction: 0, out: torch.empty([0]) }));
expectType<T>()(torch.where(x.gt(0), x, y, { out: torch.empty([0]) }));
expectType<T>()(torch.bernoulli(torch.rand([2]), { out: torch.empty([0]) }));
expectType<T>()(torch.nonzero(x, { out: torch.empty([0], { dtype: 'int64' }) }));
// @ts-expect-error PyTorch's Tensor methods take no out=
x.softmax(1, { out: torch.empty([0]) });
// @ts-expect-error torch.clone takes no out= (PyTorch's Python function refuses it)
torch.clone(x, { out: torch.empty([0]) });
// @ts-expect-error nonzero's out= is the as_tuple=False form's (a tensor), as PyTorch's
torch.nonzero(x, { asTuple: true, out: torch.empty([0]) });
