// nn/index.ts - torch.nn: Module and its registry, containers, layers, losses, torch.nn.functional (F),
// nn.init, nn.utils and summary.
export { Module, Parameter, Buffer, isParameter } from './module';
export type { RemovableHandle, StateDict, IncompatibleKeys } from './module';
export { Sequential, ModuleList, ModuleDict } from './containers';
