// rough_edges.test.ts - JavaScript interop and messages a new user meets (issue 11): Symbol.toPrimitive and
// Symbol.iterator on tensors, grad modes scoped to an async function, errors that point at the cause, and
// PyTorch's keyword names accepted as options.
import * as torch from '../lib/index';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

describe('Symbol.toPrimitive', () => {
  test('Number(t) and +t of a one-element tensor are its value (Python float(t))', () => {
    expect(Number(torch.tensor([2.5]))).toBe(2.5);
    expect(+torch.tensor(7)).toBe(7);
    expect(Number(torch.tensor([[3]], { dtype: 'int64' }))).toBe(3);
    expect(Number(torch.tensor(true))).toBe(1);
    expect(Number(torch.tensor([0.5], { dtype: 'float16' }))).toBe(0.5);
  });
  test('a template literal and String() give toString()', () => {
    const t = torch.tensor([1.5, 2]);
    expect(`${t}`).toBe(t.toString());
    expect(String(t)).toBe('tensor([1.5000, 2.0000])');
  });
  test('a + b on tensors is a TypeError naming add, never a string', () => {
    const a = torch.tensor([1, 2]), b = torch.tensor([3, 4]);
    expect(() => (a as unknown as number) + (b as unknown as number)).toThrow(TypeError);
    expect(() => (a as unknown as number) + (b as unknown as number)).toThrow(/a\.add\(b\)/);
    expect(() => (a as unknown as string) + 'x').toThrow(/torch\.add/);
    // a one-element tensor too: `+` gets hint 'default', which is never a silent concatenation
    expect(() => (torch.tensor([1]) as unknown as number) + 1).toThrow(/add/);
  });
  test('arithmetic on a tensor of several elements is a TypeError naming mul, never NaN', () => {
    const a = torch.tensor([1, 2]);
    expect(() => (a as unknown as number) * 2).toThrow(TypeError);
    expect(() => (a as unknown as number) * 2).toThrow(/a\.mul\(b\)/);
    expect(() => Number(a)).toThrow(/only one element tensors can be converted to a number, this one has 2/);
  });
});

describe('Symbol.iterator: over the first dimension', () => {
  test('rows of a 2-D tensor, elements of a 1-D one', () => {
    const t = torch.tensor([[1, 2], [3, 4], [5, 6]]);
    const rows = [...t];
    expect(rows.length).toBe(3);
    expect(rows.map((r) => r.tolist())).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(rows[1].shape).toEqual([2]);
    const out: number[] = [];
    for (const v of torch.tensor([1.5, 2.5])) { expect(v.shape).toEqual([]); out.push(v.item()); }
    expect(out).toEqual([1.5, 2.5]);
    const [a, b] = torch.arange(2);
    expect([a.item(), b.item()]).toEqual([0, 1]);
  });
  test('rows are views (as Python), gradients flow through them', () => {
    const t = torch.zeros([2, 2]);
    for (const row of t) row.fill_(1);
    expect(t.sum().item()).toBe(4);
    const x = torch.tensor([[1, 2], [3, 4]], { dtype: 'float64', requiresGrad: true });
    let s = torch.tensor(0, { dtype: 'float64' });
    for (const row of x) s = s.add(row.mul(row).sum());
    s.backward();
    expect(x.grad!.tolist()).toEqual([[2, 4], [6, 8]]);
  });
  test('a 0-d tensor is not iterable; an empty first dim yields nothing', () => {
    expect(() => [...torch.tensor(1)]).toThrow(/iteration over a 0-d tensor/);
    expect([...torch.zeros([0, 3])]).toEqual([]);
  });
});

describe('grad modes scoped to an async function', () => {
  test('noGrad(async fn) holds across awaits inside fn, and not in concurrent code', async () => {
    const w = torch.ones([2], { requiresGrad: true });
    const seen: boolean[] = [];
    const inside = torch.noGrad(async () => {
      seen.push(torch.isGradEnabled());
      await tick();
      seen.push(torch.isGradEnabled());
      return w.mul(2);
    });
    // the caller (and anything that runs while fn awaits) keeps grad mode on
    expect(torch.isGradEnabled()).toBe(true);
    const outside = w.mul(2);
    expect(outside.requiresGrad).toBe(true);
    const r = await inside;
    expect(seen).toEqual([false, false]);
    expect(r.requiresGrad).toBe(false);
    expect(torch.isGradEnabled()).toBe(true);
  });
  test('two overlapping async noGrad / enableGrad calls each keep their own mode', async () => {
    const w = torch.ones([2], { requiresGrad: true });
    const a = torch.noGrad(async () => { await tick(); const y = w.mul(2); await tick(); return [torch.isGradEnabled(), y.requiresGrad]; });
    const b = torch.noGrad(async () => torch.enableGrad(async () => { await tick(); await tick(); return [torch.isGradEnabled(), w.mul(2).requiresGrad]; }));
    expect(await a).toEqual([false, false]);
    expect(await b).toEqual([true, true]);
    expect(torch.isGradEnabled()).toBe(true);
  });
  test('inferenceMode(async fn): tensors made after an await are inference tensors; the mode ends with fn', async () => {
    const r = await torch.inferenceMode(async () => { await tick(); return [torch.isInferenceModeEnabled(), torch.ones(1)] as const; });
    expect(r[0]).toBe(true);
    expect(() => r[1].requiresGrad_()).toThrow(/inference tensor/);
    expect(torch.isInferenceModeEnabled()).toBe(false);
    expect(torch.ones(1).requiresGrad_().requiresGrad).toBe(true);
  });
  test('a rejected async fn restores nothing global and rethrows', async () => {
    await expect(torch.noGrad(async () => { await tick(); throw new Error('boom'); })).rejects.toThrow('boom');
    expect(torch.isGradEnabled()).toBe(true);
  });
  test('synchronous forms are unchanged: function, guard, nesting', () => {
    expect(torch.noGrad(() => torch.isGradEnabled())).toBe(false);
    {
      using _g = torch.noGrad();
      expect(torch.isGradEnabled()).toBe(false);
      expect(torch.enableGrad(() => torch.isGradEnabled())).toBe(true);
    }
    expect(torch.isGradEnabled()).toBe(true);
  });
});
