// print.test.ts - tensor reprs as PyTorch 1.13's (test/ref/gen_print.py): notations, ties rounded half to even,
// widths, rows wrapped at linewidth, summarisation, suffix wrapping, dtypes, empty tensors, torch.setPrintoptions.
import * as fs from 'fs';
import * as path from 'path';
import * as torch from '../lib';

const REF = JSON.parse(fs.readFileSync(path.join(__dirname, 'ref/print.json'), 'utf8'));
const num = (v: unknown): number | boolean => (typeof v === 'string' ? (v === 'nan' ? NaN : v === 'inf' ? Infinity : -Infinity) : v as number | boolean);
const camel = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k === 'sci_mode' ? 'sciMode' : k, v]));

afterEach(() => torch.setPrintoptions({ profile: 'default' }));

describe('reprs vs PyTorch 1.13', () => {
  for (const c of REF.cases) {
    it(c.name, () => {
      const data = (c.data as unknown[]).map(num);
      let t = torch.tensor(data as number[], { dtype: c.dtype }).reshape(c.shape);
      if (c.rg) t = t.requiresGrad_();
      torch.setPrintoptions(camel(c.opts) as torch.SetPrintOptions);
      expect(t.toString()).toBe(c.repr);
    });
  }
});

describe('setPrintoptions / getPrintoptions', () => {
  it('profiles, reset of sciMode, and errors', () => {
    torch.setPrintoptions({ profile: 'short', sciMode: true });
    expect(torch.getPrintoptions()).toEqual({ precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80, sciMode: true });
    torch.setPrintoptions({ precision: 3 });
    expect(torch.getPrintoptions().sciMode).toBe(null);  // as PyTorch: set_printoptions without sci_mode resets it
    torch.setPrintoptions({ profile: 'full' });
    expect(torch.getPrintoptions().threshold).toBe(Infinity);
    expect(() => torch.setPrintoptions({ precision: -1 })).toThrow(torch.TorchError);
    expect(() => torch.setPrintoptions({ profile: 'long' as never })).toThrow(/profile/);
    expect(() => torch.setPrintoptions({ precison: 2 } as never)).toThrow(TypeError);
  });
});
