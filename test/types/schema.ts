// schema.ts - the declarations generated from lib/ops/ops.schema agree with the one runtime parser: PyTorch's
// parameters positionally, or (any of them) by camelCase name in the trailing options object; out= on functions;
// in-place variants; and the forms the parser refuses do not compile. (The runtime side: test/schema.test.ts.)
import * as torch from 'nodetorch';
import { expectType } from './assert';

type T = torch.Tensor;
const x = torch.randn([2, 3]);
const i = torch.tensor([[0, 1, 2]]);
const out = torch.empty([0]);

// every PyTorch keyword by its camelCase name, also those PyTorch takes positionally
expectType<T>()(torch.flatten(x, { startDim: 1 }));
expectType<T>()(torch.flatten(x, 0, { endDim: -1 }));
expectType<T>()(x.transpose({ dim0: 0, dim1: 1 }));
expectType<T>()(x.transpose(0, { dim1: 1 }));
expectType<T>()(torch.cat([x, x], { dim: 1 }));
expectType<T>()(torch.sum(x, { dim: [0, 1], keepdim: true, dtype: 'float64' }));
expectType<T>()(x.sum(1, true, { dtype: torch.float64 }));
expectType<T>()(x.argmax({ dim: 0, keepdim: true }));
expectType<T>()(torch.softmax(x, { dim: -1 }));
expectType<T>()(torch.add(x, 2, { alpha: 0.5 }));
expectType<T>()(torch.add({ input: x, other: x }));
expectType<T>()(torch.div(x, 2, { roundingMode: 'floor' }));
expectType<T>()(x.clamp({ min: 0 }));
expectType<T>()(torch.gather(x, { dim: 1, index: i }));
expectType<T>()(x.scatter(1, i, 0.5, { reduce: 'add' }));
expectType<T[]>()(torch.split(x, { splitSizeOrSections: 2, dim: 1 }));
expectType<T[]>()(x.chunk(2, { dim: 1 }));

// out= on the functions
expectType<T>()(torch.add(x, 1, { out }));
expectType<T>()(torch.sum(x, 0, { out }));
expectType<T>()(torch.cat([x, x], { dim: 0, out }));

// in-place variants
expectType<T>()(x.add_(1, { alpha: 2 }));
expectType<T>()(x.tril_({ diagonal: -1 }));
expectType<T>()(x.scatter_({ dim: 1, index: i, src: 1 }));
expectType<T>()(x.indexAdd_(0, torch.tensor([0]), x.narrow(0, 0, 1), { alpha: 2 }));

// what the parser refuses does not compile
// @ts-expect-error Python's snake_case name: keywords are camelCase
torch.flatten(x, { start_dim: 1 });
// @ts-expect-error a misspelt option
x.sum({ keepDim: true });
// @ts-expect-error a name given positionally and by name
torch.flatten(x, 1, { startDim: 1 });
// @ts-expect-error a required argument missing from the options object
x.transpose({ dim0: 0 });
// @ts-expect-error too many positional arguments
x.transpose(0, 1, 2);
// @ts-expect-error methods take no out=
x.add(1, { out });
// @ts-expect-error keepdim is a bool
x.sum(0, 'yes');
// @ts-expect-error a dtype typo
torch.sum(x, { dtype: 'flaot32' });
// @ts-expect-error rounding modes are PyTorch's
torch.div(x, 2, { roundingMode: 'ceil' });
// @ts-expect-error scatter's reduce is 'add' or 'multiply'
x.scatter(1, i, 0.5, { reduce: 'mean' });
// @ts-expect-error in-place variants take no out= either
x.add_(1, { out });
