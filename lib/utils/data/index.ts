// utils/data/index.ts - torch.utils.data: datasets, samplers, DataLoader, collation and worker info.
export { Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset, randomSplit } from './dataset';
export type { DatasetLike, WorkerDatasetSpec } from './dataset';
export { Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler } from './sampler';
export type { SamplerLike } from './sampler';
export { ChainDataset, StackDataset } from './datasets_more';
export { DistributedSampler } from './distributed_sampler';
export type { DistributedSamplerOptions } from './distributed_sampler';
export { DataLoader } from './dataloader';
export type { DataLoaderOptions } from './dataloader';
export { defaultCollate, defaultConvert } from './collate';
export type { Collated } from './collate';
export { getWorkerInfo } from './worker_info';
export type { WorkerInfo } from './worker_info';
