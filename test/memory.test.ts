// memory.test.ts - native memory is released: by dispose()/tidy at once, and by the garbage collector in a
// synchronous loop that never yields to the event loop (basic finalizers + external memory accounting).
import * as torch from '../lib/index';

test('dispose and tidy free native memory at once', () => {
  const before = torch.memory().bytes;
  const t = torch.ones(1000, 1000);
  expect(torch.memory().bytes - before).toBeGreaterThanOrEqual(4e6);
  t.dispose();
  expect(torch.memory().bytes - before).toBeLessThan(1e5);
  const kept = torch.tidy(() => {
    const a = torch.ones(500, 500);
    const b = a.mul(2).add(1);
    return b.sum();
  });
  expect(kept.item()).toBe(750000);
  expect(torch.memory().bytes - before).toBeLessThan(1e5);
});

test('views keep storage alive after dispose of the base', () => {
  const a = torch.arange(10, { dtype: 'float32' });
  const v = a.narrow(0, 2, 3);
  a.dispose();
  expect(v.tolist()).toEqual([2, 3, 4]);
  expect(() => a.sum()).toThrow(/disposed/);
});

test('a synchronous loop without dispose keeps memory flat', () => {
  const rss0 = process.memoryUsage().rss;
  let acc = 0;
  for (let i = 0; i < 3000; i++) {
    const x = torch.ones(256, 1024); // 1 MiB each, never disposed
    acc += x.numel();
  }
  expect(acc).toBe(3000 * 256 * 1024);
  const grown = (process.memoryUsage().rss - rss0) / 2 ** 20;
  expect(grown).toBeLessThan(1500); // without GC-run finalizers this would be ~3000 MiB
  expect(torch.memory().bytes).toBeLessThan(1.5e9);
});
