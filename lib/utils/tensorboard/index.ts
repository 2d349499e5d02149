// index.ts - torch.utils.tensorboard: SummaryWriter and the pieces of the event-file format under it.
export { SummaryWriter, EventFileWriter } from './writer';
export type { SummaryWriterOpts } from './writer';
export { crc32c, maskCrc, maskedCrc32c } from './crc32c';
export { encodeRecord } from './record';
export { defaultBins } from './summary';
