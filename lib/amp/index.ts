// index.ts - torch.amp: autocast and GradScaler (mixed precision). torch.cuda.amp / torch.cpu.amp are in lib/index.ts.
export { autocast, isAutocastEnabled, getAutocastDtype, clearAutocastCache, autocastPolicy } from './autocast';
export type { AutocastOptions, AutocastGuard, AutocastDevice, DeviceAutocast } from './autocast';
export { GradScaler } from './grad_scaler';
export type { GradScalerOptions, GradScalerStateDict, Scalable } from './grad_scaler';
