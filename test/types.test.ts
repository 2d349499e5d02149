// types.test.ts - 'nodetorch/vision' resolves under moduleResolution node10, node16 and bundler from the package.json
// that ships (its exports map, types and typesVersions). test/types/*.ts (type-level assertions of API.md's
// TypeScript section, and code that must not compile, marked @ts-expect-error) are compiled with the README and
// API.md snippets and the examples in one tsc program: test/snippets.test.ts (scripts/check-types.js).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function runTsc(args: string[], cwd = root): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [tsc, ...args], { cwd, encoding: 'utf8', timeout: 240000 });
  return { status: r.status, out: `${r.stdout || ''}${r.stderr || ''}` };
}

describe('TypeScript declarations (tsc --strict)', () => {
  describe("'nodetorch/vision' resolves from the package.json", () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-types-'));
      const pkg = path.join(dir, 'node_modules', 'nodetorch');
      fs.mkdirSync(path.join(pkg, 'dist', 'vision'), { recursive: true });
      fs.copyFileSync(path.join(root, 'package.json'), path.join(pkg, 'package.json'));
      // declaration stubs standing in for the built dist/ (what is tested is how package.json leads to them)
      fs.writeFileSync(path.join(pkg, 'dist', 'index.d.ts'), 'export declare const rootMarker: number;\n');
      fs.writeFileSync(path.join(pkg, 'dist', 'vision', 'index.d.ts'), 'export declare const transforms: { visionMarker: string };\n');
      fs.writeFileSync(path.join(dir, 'main.ts'), [
        "import { transforms } from 'nodetorch/vision';",
        "import { rootMarker } from 'nodetorch';",
        'const s: string = transforms.visionMarker;',
        'const n: number = rootMarker;',
        'export { s, n };',
        '',
      ].join('\n'));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    // a tsconfig per resolution mode (types: [] keeps @types packages out of the temporary folder)
    const project = (resolution: string, mod: string): string[] => {
      const file = `tsconfig.${resolution}.json`;
      fs.writeFileSync(path.join(dir, file), JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, types: [], moduleResolution: resolution, module: mod, target: 'ES2022' },
        files: ['main.ts'],
      }));
      return ['-p', file];
    };
    const cases: [string, string][] = [['node10', 'commonjs'], ['node16', 'node16'], ['bundler', 'esnext']];
    test.each(cases)('moduleResolution %s', (resolution, mod) => {
      const r = runTsc(project(resolution, mod), dir);
      expect(r.out).toBe('');
      expect(r.status).toBe(0);
    }, 60000);

    test('moduleResolution node16 from an ES module (.mts)', () => {
      fs.copyFileSync(path.join(dir, 'main.ts'), path.join(dir, 'main.mts'));
      fs.writeFileSync(path.join(dir, 'tsconfig.esm.json'), JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, types: [], moduleResolution: 'node16', module: 'node16', target: 'ES2022' },
        files: ['main.mts'],
      }));
      const r = runTsc(['-p', 'tsconfig.esm.json'], dir);
      expect(r.out).toBe('');
      expect(r.status).toBe(0);
    }, 60000);

    test('without typesVersions, node10 does not find it (the test can fail)', () => {
      const pkgFile = path.join(dir, 'node_modules', 'nodetorch', 'package.json');
      const saved = fs.readFileSync(pkgFile, 'utf8');
      const pkg = JSON.parse(saved);
      delete pkg.typesVersions;
      fs.writeFileSync(pkgFile, JSON.stringify(pkg));
      try {
        const r = runTsc(project('node10', 'commonjs'), dir);
        expect(r.status).not.toBe(0);
        expect(r.out).toMatch(/nodetorch\/vision/);
      } finally {
        fs.writeFileSync(pkgFile, saved);
      }
    }, 60000);
  });
});

// the run-time side of test/types/options.ts: the forms typed as valid run, and those typed as errors because an
// argument is duplicated, surplus or foreign throw (the declarations neither over- nor under-promise)
describe('layer constructor forms: the declarations agree with the runtime', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const torch = require('../lib') as typeof import('../lib');
  const nn = torch.nn;
  const valid: [string, () => unknown][] = [
    ['Linear(4, 2, false, { dtype })', () => new nn.Linear(4, 2, false, { dtype: 'float64' })],
    ['Conv2d(3, 8, 3, 1, 1)', () => new nn.Conv2d(3, 8, 3, 1, 1)],
    ['Conv2d all positional', () => new nn.Conv2d(3, 8, 3, 2, 'valid', 1, 1, false, 'reflect')],
    ['Conv2d(3, 8, [3, 3], 1, { padding, bias })', () => new nn.Conv2d(3, 8, [3, 3], 1, { padding: 1, bias: false })],
    ['ConvTranspose2d(3, 8, 3, 2, 1, 1)', () => new nn.ConvTranspose2d(3, 8, 3, 2, 1, 1)],
    ['MaxPool2d all positional', () => new nn.MaxPool2d(2, 2, 0, 1, false, true)],
    ['AvgPool2d all positional', () => new nn.AvgPool2d(3, 1, 1, false, true, null)],
    ['BatchNorm2d all positional', () => new nn.BatchNorm2d(16, 1e-3, 0.1, true, false)],
    ['LayerNorm([4], 1e-6, false)', () => new nn.LayerNorm([4], 1e-6, false)],
    ['Embedding all positional', () => new nn.Embedding(10, 3, null, 1.0, 2, false, false)],
    ['RNN(4, 8, 2, relu, true, true)', () => new nn.RNN(4, 8, 2, 'relu', true, true)],
    ['LSTM(4, 8, { numLayers, projSize })', () => new nn.LSTM(4, 8, { numLayers: 2, projSize: 4 })],
    ['GRU all positional', () => new nn.GRU(4, 8, 1, true, true, 0.0, true)],
    ['MultiheadAttention(8, 2, 0, true, { batchFirst })', () => new nn.MultiheadAttention(8, 2, 0.0, true, { batchFirst: true })],
    ['TransformerEncoderLayer positional', () => new nn.TransformerEncoderLayer(8, 2, 16, 0.1, 'gelu', 1e-5, true)],
    ['ELU(0.5, true)', () => new nn.ELU(0.5, true)],
    ['GELU(tanh)', () => new nn.GELU('tanh')],
    ['PReLU(3, 0.1, { dtype })', () => new nn.PReLU(3, 0.1, { dtype: 'float32' })],
    ['RReLU(0.1, 0.3, false)', () => new nn.RReLU(0.1, 0.3, false)],
  ];
  test.each(valid)('%s runs', (_name, make) => { expect(make()).toBeInstanceOf(nn.Module); });
  const invalid: [string, () => unknown][] = [
    ['Linear: bias twice', () => new (nn.Linear as unknown as new (...a: unknown[]) => unknown)(4, 2, false, { bias: true })],
    ['Linear: a surplus argument', () => new (nn.Linear as unknown as new (...a: unknown[]) => unknown)(4, 2, false, 3)],
    ['Conv2d: stride twice', () => new (nn.Conv2d as unknown as new (...a: unknown[]) => unknown)(3, 8, 3, 1, { stride: 2 })],
    ['LSTM: nonlinearity', () => new (nn.LSTM as unknown as new (...a: unknown[]) => unknown)(4, 8, { nonlinearity: 'relu' })],
    ['GRU: projSize', () => new (nn.GRU as unknown as new (...a: unknown[]) => unknown)(4, 8, { projSize: 2 })],
    ['ReLU6: a surplus argument', () => new (nn.ReLU6 as unknown as new (...a: unknown[]) => unknown)(true, true)],
  ];
  test.each(invalid)('%s throws a TypeError', (_name, make) => { expect(make).toThrow(TypeError); });
});

// the run-time side of test/types/modules.ts and test/types/transforms.ts: what the declarations say each call returns
// is what it returns
describe('module and transform types: the declarations agree with the runtime', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const torch = require('../lib') as typeof import('../lib');
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { transforms } = require('../lib/vision') as typeof import('../lib/vision');
  const nn = torch.nn;
  const isT = (v: unknown): boolean => v instanceof torch.Tensor;
  const img = torch.rand([1, 2, 4, 4]);

  test('max pooling: a Tensor, or [output, indices] with returnIndices (options, positional, keyword form)', () => {
    expect(isT(new nn.MaxPool2d(2).call(img))).toBe(true);
    for (const pool of [new nn.MaxPool2d(2, { returnIndices: true }), new nn.MaxPool2d(2, 2, 0, 1, true), new nn.MaxPool2d({ kernelSize: 2, returnIndices: true })]) {
      const r = pool.call(img);
      expect(Array.isArray(r) && r.length === 2 && isT(r[0]) && isT(r[1]) && r[1].dtype === 'int64').toBe(true);
    }
    const a = new nn.AdaptiveMaxPool2d(1, true).call(img);
    expect(Array.isArray(a) && a.length === 2).toBe(true);
    expect(isT(new nn.AdaptiveMaxPool2d(1).call(img))).toBe(true);
  });

  test('Sequential returns its last module\'s output; ModuleList and ModuleDict hold what they were given', () => {
    const [out, [h, c]] = new nn.Sequential(new nn.Embedding(10, 4), new nn.LSTM(4, 3)).call(torch.tensor([1, 2, 3]));
    expect([out.shape, h.shape, c.shape]).toEqual([[3, 3], [1, 3], [1, 3]]);
    expect(isT(new nn.Sequential().call(img))).toBe(true);
    const list = new nn.ModuleList([new nn.Linear(4, 4), new nn.Linear(4, 2)]);
    let x = torch.rand([2, 4]);
    for (const l of list) { expect(l).toBeInstanceOf(nn.Linear); x = l.call(x); }
    expect(x.shape).toEqual([2, 2]);
    const dict = new nn.ModuleDict({ cls: new nn.Linear(4, 3) });
    expect(dict.get('cls')).toBeInstanceOf(nn.Linear);
  });

  test('hooks: a pre-hook\'s tuple or single value replaces the arguments, a forward hook\'s value the output; only { prepend }', () => {
    const lin = new nn.Linear(2, 2, false);
    torch.noGrad(() => lin.weight.copy_(torch.eye(2)));
    const x = torch.tensor([[1, 2]], { dtype: 'float32' });
    const seen: unknown[] = [];
    const h1 = lin.registerForwardPreHook((_m, [input]) => input.mul(10));
    const h2 = lin.registerForwardPreHook((_m, args) => [args[0].add(1)]);
    const h3 = lin.registerForwardHook((m, args, out) => { seen.push(m === lin, args.length); return out.neg(); });
    const h4 = lin.registerForwardHook(() => undefined, { prepend: true });
    expect(Array.from(lin.call(x).toTypedArray())).toEqual([-11, -21]);
    expect(seen).toEqual([true, 1]);
    for (const h of [h1, h2, h3, h4]) h.remove();
    expect(Array.from(lin.call(x).toTypedArray())).toEqual([1, 2]);
    const unchecked = lin as unknown as { registerForwardHook(h: () => void, o: object): unknown };
    expect(() => unchecked.registerForwardHook(() => undefined, { withKwargs: true })).toThrow(TypeError);
  });

  test('Lambda runs its function; Compose passes each result on', () => {
    const x = torch.tensor([1, 2], { dtype: 'float32' });
    expect(Array.from(new transforms.Lambda((t) => t.mul(2)).call(x).toTypedArray())).toEqual([2, 4]);
    expect(new transforms.Compose([new transforms.Lambda((t: import('../lib').Tensor) => t.numel())]).call(x)).toBe(2);
  });
});
