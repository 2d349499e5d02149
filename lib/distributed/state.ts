// state.ts - the default process group's rank and world size, read by code outside torch.distributed
// (DistributedSampler's defaults) without importing the process-group machinery.
export interface WorldInfo { rank: number; worldSize: number }

let world: WorldInfo | null = null;

/** The default group's rank and size, or null before initProcessGroup / after destroyProcessGroup. */
export function currentWorld(): WorldInfo | null { return world; }
/** Set by initProcessGroup, cleared by destroyProcessGroup. */
export function setCurrentWorld(w: WorldInfo | null): void { world = w; }
