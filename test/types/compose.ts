import * as torch from 'nodetorch';
import { transforms } from 'nodetorch/vision';
import { expectType } from './assert';
type T = torch.Tensor;
const c = new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.5], [0.5])]);
expectType<T>()(c.call(torch.zeros(1)));
const c2 = new transforms.Compose([(s: string) => s.length, (n: number) => n * 2, (n: number) => String(n)]);
expectType<string>()(c2.call('abc'));
expectType<string>()(c2.forward('abc'));
// @ts-expect-error wrong input
c2.call(3);
// @ts-expect-error a transform that cannot take the output of the one before
new transforms.Compose([(s: string) => s.length, (s: string) => s.toUpperCase()]);
const list: transforms.TransformFn[] = [new transforms.ToTensor()];
const c3 = new transforms.Compose(list);
expectType<unknown>()(c3.call(1));
expectType<T>()(new transforms.ToTensor().call(1));
expectType<T>()(new transforms.Compose([new transforms.ToTensor()]).call(1));
new transforms.Compose([new transforms.ToTensor(), (t: T) => t.mul(2), new transforms.Resize(4)]);
// @ts-expect-error Resize takes a Tensor, not a number
new transforms.Compose([(t: T) => t.sum().item(), { call: (t: T) => t.exp() }]);
