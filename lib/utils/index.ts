// utils/index.ts - torch.utils (torch.utils.data lives in ./data).
export * as data from './data';
export * as tensorboard from './tensorboard';
export * as checkpoint from './checkpoint';
