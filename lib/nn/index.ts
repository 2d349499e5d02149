// nn/index.ts - torch.nn: Module and its registry, containers, layers, losses, torch.nn.functional (F),
// nn.init, nn.utils and summary (torch.summary).
export { Module, Parameter, Buffer, isParameter } from './module';
export type { RemovableHandle, StateDict, IncompatibleKeys, ForwardArgs, ForwardOutput, ForwardHook, ForwardPreHook } from './module';
export { Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict } from './containers';
export type { NamedModules } from './containers';
export * from './layers/linear';
export * from './layers/conv';
export * from './layers/pooling';
export * from './layers/activation';
export * from './layers/normalization';
export * from './layers/dropout';
export * from './layers/sparse';
export * from './layers/loss';
export * from './layers/rnn';
export * from './layers/transformer';
export * from './layers/transformer_decoder';
export * from './layers/lazy';
export * from './layers/resample';
export * from './layers/extra';
export * from './layers/nn3d';
export * as functional from './functional_api';
export * as init from './init';
export * as utils from './utils';
export { summary } from './summary';
export * as parallel from './parallel';
