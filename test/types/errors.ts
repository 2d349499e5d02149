// errors.ts - code that must NOT compile: each line below is a compile error (tsc fails on an unused expect-error
// directive, so a declaration that turns permissive again breaks the type tests).
import * as torch from 'nodetorch';
import { expectType } from './assert';

const x = torch.randn([2, 2]);
const model = new torch.nn.Sequential(new torch.nn.Linear(2, 2));

// @ts-expect-error a dtype typo
torch.zeros([2], { dtype: 'flaot32' });
// @ts-expect-error a dtype typo in a cast
x.to('flaot32' as const satisfies torch.DType);
// @ts-expect-error call() returns a Tensor, which has no such method
model.call(x).thisDoesNotExist();
// @ts-expect-error a Linear layer's output is a Tensor, not a number
const n: number = new torch.nn.Linear(2, 2).call(x);
// @ts-expect-error torch.load() is unknown until narrowed
torch.load('m.pt').shape;
// @ts-expect-error item() is a number
const s: string = x.sum().item();
// @ts-expect-error type(dtype) returns a Tensor
const name: string = x.type('float16');
// @ts-expect-error max with a dim has values/indices, not tensor methods
torch.max(x, 0).exp();
// @ts-expect-error max without dim is a Tensor
torch.max(x).values;
// @ts-expect-error a batch of a TensorDataset of two tensors has two elements
for (const [a, b, c] of new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(x, x))) console.log(a, b, c);
// @ts-expect-error an unknown DataLoader option
new torch.utils.data.DataLoader([1, 2], { batchSise: 2 });
// @ts-expect-error the wrong expected type fails expectType
expectType<string>()(x);
export { n, s, name };
// @ts-expect-error a misspelt keyword name
new torch.nn.Linear({ inFeatures: 4, outFeature: 2 });
// @ts-expect-error Conv2d needs its kernelSize
new torch.nn.Conv2d(3, 10, { padding: 1 });
// @ts-expect-error arithmetic operators do not apply to tensors
const sum = x + x;
export { sum };
