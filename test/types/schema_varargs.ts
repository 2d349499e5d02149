// schema_varargs.ts - the schema's varargs shapes after the input (ops.schema's `int...` following `input: Tensor`):
// reshape, permute, expand, repeat, tile, view_as, reshape_as as generated declarations. Each method takes its size
// as numbers, a list, or by name; the functions (reshape, permute, tile) after their input. (Runtime:
// test/schema_varargs.test.ts.)
import * as torch from 'nodetorch';
import { expectType } from './assert';

type T = torch.Tensor;
const x = torch.randn([2, 3]);

expectType<T>()(x.reshape(3, 2));
expectType<T>()(x.reshape([3, 2]));
expectType<T>()(x.reshape({ shape: [3, 2] }));
expectType<T>()(x.reshape({ shape: 6 }));
expectType<T>()(torch.reshape(x, [3, 2]));
expectType<T>()(torch.reshape(x, { shape: [6] }));
expectType<T>()(torch.reshape({ input: x, shape: [6] }));
expectType<T>()(x.permute(1, 0));
expectType<T>()(x.permute([1, 0]));
expectType<T>()(torch.permute(x, [1, 0]));
expectType<T>()(x.expand(4, 2, 3));
expectType<T>()(x.expand(4, 2, 3, { implicit: false }));
expectType<T>()(x.expand([4, 2, 3], { implicit: true }));
expectType<T>()(x.expand({ size: [4, 2, 3], implicit: false }));
expectType<T>()(x.repeat(2, 1));
expectType<T>()(x.repeat({ repeats: [2, 1] }));
expectType<T>()(x.tile(2));
expectType<T>()(torch.tile(x, [2, 2]));
expectType<T>()(x.view(3, 2));
expectType<T>()(x.view([6]));
expectType<T>()(x.view({ size: [6] }));
expectType<T>()(x.view('int32'));
expectType<T>()(x.view({ dtype: 'int32' }));
expectType<T>()(x.viewAs(x));
expectType<T>()(x.reshapeAs({ other: x }));

expectType<T[]>()(x.split({ splitSize: 2 }));
expectType<T[]>()(x.split({ splitSize: [1, 1], dim: 0 }));
expectType<T[]>()(torch.split(x, { splitSizeOrSections: 1 }));
expectType<T>()(x.indexPut([0, '1:3'], 9));
expectType<T>()(x.indexPut_([torch.tensor([1])], torch.tensor([2]), true));
expectType<T>()(torch.indexPut(x, { indices: [0], values: 1, accumulate: false }));
expectType<T>()(x.indexPut_({ indices: 0, values: 1 }));

// @ts-expect-error index_put's accumulate is a bool
x.indexPut([0], 1, 'yes');
// @ts-expect-error index_put's values are required
x.indexPut({ indices: [0] });
// @ts-expect-error split's size is a number or a list
x.split({ splitSize: '2' });
// @ts-expect-error a size is numbers, not strings
x.reshape('3', '2');
// @ts-expect-error reshape's keyword is shape
x.reshape({ size: [6] });
// @ts-expect-error the options object names shape: it is required
x.reshape({});
// @ts-expect-error implicit is a bool
x.expand([4, 2, 3], { implicit: 1 });
// @ts-expect-error view's options name size or dtype, not both
x.view({ size: [6], dtype: 'int32' });
// @ts-expect-error not a dtype name
x.view('int33');
// @ts-expect-error view_as takes a tensor
x.viewAs([2, 3]);
// @ts-expect-error an unknown option
x.permute([1, 0], { dim: 0 });
