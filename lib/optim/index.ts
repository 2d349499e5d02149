// index.ts - torch.optim: the optimizers and torch.optim.lrScheduler.
export { Optimizer } from './optimizer';
export type { ParamGroup, ParamGroupSpec, ParamsArg, OptimizerStateDict } from './optimizer';
export { SGD } from './sgd';
export type { SGDOptions } from './sgd';
export { Adam, AdamW } from './adam';
export type { AdamOptions } from './adam';
export { RMSprop } from './rmsprop';
export type { RMSpropOptions } from './rmsprop';
export { Adagrad } from './adagrad';
export type { AdagradOptions } from './adagrad';
export { Adadelta, Adamax, NAdam, RAdam, ASGD, Rprop } from './more';
export type { AdadeltaOptions, AdamaxOptions, NAdamOptions, RAdamOptions, ASGDOptions, RpropOptions } from './more';
import * as lrScheduler from './lr_scheduler';
export { lrScheduler };
/** PyTorch's module name, torch.optim.lr_scheduler */
export const lr_scheduler = lrScheduler;
