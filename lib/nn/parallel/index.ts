// parallel/index.ts - torch.nn.parallel: DistributedDataParallel (alias DDP).
export { DistributedDataParallel, DDP } from './distributed';
export type { DDPOptions } from './distributed';
