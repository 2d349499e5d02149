// cuda_rng.test.ts - one default random generator per CUDA device (PyTorch's torch.cuda.default_generators):
// torch.cuda.manualSeed seeds the current device's only, manualSeedAll and torch.manualSeed every device's (also
// devices first used later), random ops on cuda:i draw from generator i. The generator bookkeeping is tested
// everywhere; the draws on two devices run in a child process under the CUDA emulator with CUEMU_DEVICES=2
// (scripts/cuda-emu/check.sh runs jest with the emulator binary), or on a machine with two GPUs.
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import * as torch from '../lib';

describe('CUDA default generators: bookkeeping', () => {
  test('torch.manualSeed seeds every device, also one first used afterwards', () => {
    torch.manualSeed(5);
    expect(torch.cuda.defaultGenerator(0).initialSeed()).toBe(5n);
    expect(torch.cuda.defaultGenerator(3).initialSeed()).toBe(5n);
    torch.cuda.manualSeedAll(11);
    expect(torch.cuda.defaultGenerator(0).initialSeed()).toBe(11n);
    expect(torch.cuda.defaultGenerator(3).initialSeed()).toBe(11n);
    expect(torch.cuda.defaultGenerator(5).initialSeed()).toBe(11n);
    expect(torch.initialSeed()).toBe(5n);  // the CPU generator is not touched by the CUDA seeds
  });
  test('torch.cuda.manualSeed seeds the current device only; generators are distinct objects', () => {
    torch.cuda.manualSeedAll(1);
    torch.cuda.manualSeed(9);  // current device: 0 here
    expect(torch.cuda.defaultGenerator().initialSeed()).toBe(9n);
    expect(torch.cuda.initialSeed()).toBe(9n);
    expect(torch.cuda.defaultGenerator(1).initialSeed()).toBe(1n);
    expect(torch.cuda.defaultGenerator(0)).not.toBe(torch.cuda.defaultGenerator(1));
    const states = torch.cuda.getRngStateAll();
    expect(states.length).toBeGreaterThanOrEqual(2);
    torch.cuda.defaultGenerator(1).manualSeed(77);
    torch.cuda.setRngStateAll(states);
    expect(torch.cuda.defaultGenerator(1).initialSeed()).toBe(1n);
  });
  test('bad seeds and device indices are TorchErrors', () => {
    expect(() => torch.cuda.manualSeedAll(1.5)).toThrow(torch.TorchError);
    expect(() => torch.cuda.defaultGenerator(-1)).toThrow(/Invalid CUDA device index -1/);
  });
});

const addon = process.env.NODETORCH_ADDON ?? '';
const distDir = path.join(__dirname, '..', 'dist');
const emu = /build-emu/.test(addon) && fs.existsSync(path.join(distDir, 'index.js'));
if (!emu) console.warn('cuda_rng.test.ts: the two-device draws are skipped: they run under the CUDA emulator (NODETORCH_ADDON=.../build-emu/...) with dist/ built');
(emu ? test : test.skip)('two emulated devices: each draws from its own generator', () => {
  const r = spawnSync(process.execPath, ['-e', `
    const torch = require(${JSON.stringify(distDir)});
    const draw = (dev) => Array.from(torch.randn([6], { device: dev }).cpu().toTypedArray());
    const out = { count: torch.cuda.deviceCount() };
    torch.manualSeed(123);
    out.a0 = draw('cuda:0'); out.a1 = draw('cuda:1');          // same seed, fresh offsets: equal
    out.b0 = draw('cuda:0');                                  // generator 0 advanced, generator 1 not by this
    torch.cuda.device(1, () => torch.cuda.manualSeed(123));   // re-seed device 1 only
    out.c1 = draw('cuda:1');                                  // = a1 again
    out.d0 = draw('cuda:0');                                  // generator 0 continues: differs from a0 and b0
    torch.cuda.setDevice(1);
    out.e = draw('cuda');                                     // 'cuda' is the current device: generator 1 continues
    torch.cuda.manualSeed(123);                               // current device 1
    out.f1 = draw('cuda:1');
    console.log(JSON.stringify(out));`], { encoding: 'utf8', env: { ...process.env, CUEMU_DEVICES: '2' } });
  expect(r.stderr).not.toMatch(/Error/);
  expect(r.status).toBe(0);
  const o = JSON.parse(r.stdout.trim().split('\n').pop() as string);
  expect(o.count).toBe(2);
  expect(o.a1).toEqual(o.a0);
  expect(o.b0).not.toEqual(o.a0);
  expect(o.c1).toEqual(o.a1);
  expect(o.d0).not.toEqual(o.a0);
  expect(o.d0).not.toEqual(o.b0);
  expect(o.e).not.toEqual(o.c1);
  expect(o.f1).toEqual(o.a1);
});
