// families.ts - torch.* functions of the op families (shape, indexing, reductions, matmul). Each family file
// attaches its Tensor methods on import and exports its functions; this file re-exports them for index.ts.
export * from './shape';
export * from './reduce';
export * from './indexing';
export * from './matmul';
export * from './order';
// the varargs ops of shape_more.ts (its schema rows' implementations are bound in impls.ts)
export { chainMatmul, blockDiag, atleast1d, atleast2d, atleast3d } from './shape_more';
