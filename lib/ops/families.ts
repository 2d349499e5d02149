// families.ts - torch.* functions of the op families (shape, indexing, reductions, matmul). Each family file
// attaches its Tensor methods on import and exports its functions; this file re-exports them for index.ts.
export * from './shape';
export * from './reduce';
export * from './indexing';
export * from './matmul';
export * from './order';
