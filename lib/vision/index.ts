// vision/index.ts - 'nodetorch/vision', mirroring torchvision: io, transforms (with transforms.functional),
// datasets (with datasets.utils.extractArchive) and utils (makeGrid, saveImage).
export * as io from './io';
export * as transforms from './transforms';
export * as datasets from './datasets';
export * as utils from './utils';
