// worker_info.ts - torch.utils.data.get_worker_info(): inside a DataLoader worker thread, which worker this is
// (id, numWorkers, seed, dataset); null on the main thread. Set by worker.ts when the worker starts.
export interface WorkerInfo { id: number; numWorkers: number; seed: number; dataset: unknown }

let info: WorkerInfo | null = null;
export function getWorkerInfo(): WorkerInfo | null { return info; }
export function _setWorkerInfo(i: WorkerInfo | null): void { info = i; }
