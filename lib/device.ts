// device.ts - torch.device: 'cpu', 'cuda', 'cuda:N'.
import { TorchError } from './errors';
import { native } from './native';

export class Device {
  readonly type: 'cpu' | 'cuda';
  readonly index: number | null;
  constructor(spec: string | Device, index?: number) {
    if (spec instanceof Device) { this.type = spec.type; this.index = spec.index; return; }
    if (typeof spec !== 'string') throw new TorchError(`Expected a torch.device with a device type, got ${typeof spec}`);
    const m = /^(cpu|cuda)(?::(\d+))?$/.exec(spec);
    if (!m) throw new TorchError(`Expected one of cpu, cuda device type at start of device string: ${spec} (${devicesHere()})`);
    this.type = m[1] as 'cpu' | 'cuda';
    const idx = m[2] !== undefined ? Number(m[2]) : index;
    this.index = idx === undefined ? null : idx;
    if (this.type === 'cpu' && this.index !== null && this.index !== 0) throw new TorchError(`CPU device index must be -1 or zero, got ${this.index}`);
  }
  toString(): string { return this.index === null ? this.type : `${this.type}:${this.index}`; }
  toJSON(): string { return this.toString(); }
  [Symbol.for('nodejs.util.inspect.custom')](): string { return `device(type='${this.type}'${this.index === null ? '' : `, index=${this.index}`})`; }
  equals(o: Device): boolean { return this.type === o.type && (this.index ?? 0) === (o.index ?? 0); }
}

/** The devices this process can use, for messages: "devices here: 'cpu', 'cuda', 'cuda:0'" or why there is no CUDA. */
export function devicesHere(): string {
  let built = false, n = 0;
  try { built = native.info().cudaBuilt; n = built ? (native.cuda('count') as number) : 0; } catch { n = 0; }
  if (n > 0) return `devices here: 'cpu', 'cuda' (the current CUDA device), ${Array.from({ length: n }, (_, i) => `'cuda:${i}'`).join(', ')}`;
  return `devices here: 'cpu' only (${built ? 'no CUDA device is visible; torch.cuda.diagnose() says why' : 'this build has no CUDA backend'})`;
}

export const CPU = new Device('cpu');
export type DeviceLike = string | Device;
/** A device string as the declarations take it where a dtype could also be meant (`t.to('cuda:1')`). */
export type DeviceName = 'cpu' | 'cuda' | `cuda:${number}`;
const cache = new Map<string, Device>();

// torch.cuda.setDevice: the device that 'cuda' without an index means (per process, as PyTorch's current device)
let currentCuda = 0;
export function currentCudaIndex(): number { return currentCuda; }
export function setCurrentCudaIndex(i: number): void { currentCuda = i; }

export function toDevice(d: unknown): Device {
  if (d instanceof Device) return d.type === 'cuda' && d.index === null ? toDevice(`cuda:${currentCuda}`) : d;
  if (typeof d !== 'string') throw new TorchError(`Expected a device (e.g. 'cpu', 'cuda:0'), got ${typeof d}`);
  if (d === 'cuda') return toDevice(`cuda:${currentCuda}`);
  let r = cache.get(d);
  if (!r) {
    r = new Device(d);
    if (r.type === 'cuda' && r.index === null) r = new Device(`cuda:${currentCuda}`);
    if (r.type === 'cpu') r = CPU;
    cache.set(d, r);
  }
  return r;
}
export function device(spec: string | Device, index?: number): Device { return new Device(spec, index); }
