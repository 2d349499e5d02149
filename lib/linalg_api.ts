// torch.linalg: the namespace object (lib/index.ts exports it as torch.linalg): the schema's linalg. rows
// (lib/ops/generated_linalg.ts, PyTorch's parameters positionally or by camelCase name); implementations lib/linalg.ts
export * from './ops/generated_linalg';
export type { SVD, QR, Eigh, Slogdet, Lstsq } from './linalg';
