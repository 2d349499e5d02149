// transforms.ts - transforms without `any`: TransformFn takes any transform (a function of one value, or an object
// with call(x)), Lambda is typed as its function, and Compose checks a Lambda in its chain like any other transform.
import * as torch from 'nodetorch';
import { transforms, datasets } from 'nodetorch/vision';
import { expectType } from './assert';

type T = torch.Tensor;
const x = torch.rand([3, 4, 4]);

// Lambda: typed as the function it wraps; an unannotated parameter is a Tensor
expectType<T>()(new transforms.Lambda((t: T) => t.mul(2)).call(x));
expectType<T>()(new transforms.Lambda((t) => t.flip(-1)).call(x));
expectType<number>()(new transforms.Lambda((s: string) => s.length).call('abc'));
expectType<transforms.Lambda<string, number>>()(new transforms.Lambda((s: string) => s.length));
// @ts-expect-error this Lambda takes a string
new transforms.Lambda((s: string) => s.length).call(x);
// @ts-expect-error its output is a number
new transforms.Lambda((s: string) => s.length).call('abc').flip(0);
// @ts-expect-error a Lambda wraps a function
new transforms.Lambda(3);

// in a Compose, a Lambda is checked against its neighbours
const pipeline = new transforms.Compose([new transforms.ToTensor(), new transforms.Lambda((t: T) => t.mul(2)), new transforms.Normalize([0.5], [0.5])]);
expectType<T>()(pipeline.call(x));
expectType<number>()(new transforms.Compose([new transforms.ToTensor(), new transforms.Lambda((t: T) => t.numel())]).call(x));
// @ts-expect-error a Lambda taking a string after ToTensor (which returns a Tensor)
new transforms.Compose([new transforms.ToTensor(), new transforms.Lambda((s: string) => s.length)]);

// TransformFn: any function of one value, or anything with call(x)
const fns: transforms.TransformFn[] = [
  (t: T) => t.neg(),
  (s: string) => s.length,
  new transforms.ToTensor(),
  new transforms.Lambda((t: T) => t),
  { call: (n: number) => n + 1 },
];
void fns;
// @ts-expect-error a number is not a transform
const notFn: transforms.TransformFn = 3;
// @ts-expect-error call must be a function
const notCall: transforms.TransformFn = { call: 1 };
// datasets take any transform
export function mnist(): void {
  new datasets.MNIST({ root: 'data', transform: new transforms.Lambda((t: T) => t.div(255)), targetTransform: (y: number) => y % 2 });
}
