// types_no_any.test.ts - no declaration the package ships says `any` (API.md, TypeScript): scripts/check-no-any.js
// emits lib/'s declarations as `npm run build:ts` does and scans everything package.json's types / exports /
// typesVersions reach. A fixture package shows that the scan finds `any` where it hides (a re-exported file, an
// `import('...')` type, an unexported helper type) and nothing else (a function named `any`, the word in a comment).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const lib = require('../scripts/check-no-any.js') as {
  entryPoints(pkg: unknown): string[];
  scanPackage(dir: string): { entries: string[]; files: string[]; hits: { file: string; line: number; owner: string }[]; missing: string[] };
};

interface Report { entries: string[]; files: string[]; hits: { file: string; line: number; owner: string; text: string }[]; missing: string[]; errors: string[] }

describe('no `any` in the shipped declarations', () => {
  test('lib/ emitted as the package ships it: no `any` anywhere reachable from package.json', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'check-no-any.js'), '--json'], { cwd: root, encoding: 'utf8', timeout: 170000 });
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as Report;
    expect(report.errors).toEqual([]);
    expect(report.missing).toEqual([]);
    expect(report.entries.sort()).toEqual(['dist/index.d.ts', 'dist/vision/index.d.ts']);
    // the scan followed the re-exports into the files that hold the declarations
    for (const f of ['dist/nn/module.d.ts', 'dist/nn/containers.d.ts', 'dist/vision/transforms.d.ts', 'dist/serialization/index.d.ts', 'dist/utils/data/dataloader.d.ts']) {
      expect(report.files).toContain(f);
    }
    expect(report.hits.map((h) => `${h.file}:${h.line} ${h.owner}: ${h.text}`)).toEqual([]);
    expect(r.status).toBe(0);
  }, 180000);

  describe('the scan (a fixture package)', () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-no-any-fixture-'));
      const w = (rel: string, text: string): void => {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), text);
      };
      w('package.json', JSON.stringify({
        name: 'fixture', types: 'dist/index.d.ts',
        exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' }, './extra': { import: { types: './dist/extra.d.mts' } } },
        typesVersions: { '*': { sub: ['dist/sub/index.d.ts'] } },
      }));
      w('dist/index.d.ts', [
        "export * from './clean';",
        "export { leak } from './leaky.js';",
        "export declare function any(x: number): boolean;   // a function named any is fine",
        "/** accepts any tensor */",
        "export declare const typed: import('./viaimport').Holder;",
        '',
      ].join('\n'));
      w('dist/clean.d.ts', 'export declare function clean(x: unknown): unknown;\n');
      w('dist/leaky.d.ts', 'type Hidden = (...a: any[]) => void;\nexport declare function leak(h: Hidden): void;\n');
      w('dist/viaimport.d.ts', 'export interface Holder { value: Record<string, any> }\n');
      w('dist/extra.d.mts', 'export declare class Extra { forward(x: any): unknown }\n');
      w('dist/sub/index.d.ts', 'export declare let sub: string;\n');
      w('dist/unreached.d.ts', 'export declare let notShipped: any;\n');
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test('entry points: types, each exports `types` condition (nested too), typesVersions', () => {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      expect(lib.entryPoints(pkg).sort()).toEqual(['dist/extra.d.mts', 'dist/index.d.ts', 'dist/sub/index.d.ts']);
    });

    test('finds each `any` with its declaration, follows re-exports and import() types, and nothing else', () => {
      const r = lib.scanPackage(dir);
      expect(r.missing).toEqual([]);
      expect(r.files).toEqual(['dist/clean.d.ts', 'dist/extra.d.mts', 'dist/index.d.ts', 'dist/leaky.d.ts', 'dist/sub/index.d.ts', 'dist/viaimport.d.ts']);
      expect(r.hits.map((h) => `${h.file}:${h.line} ${h.owner}`).sort()).toEqual([
        'dist/extra.d.mts:1 Extra.forward',
        'dist/leaky.d.ts:1 Hidden',
        'dist/viaimport.d.ts:1 Holder.value',
      ]);
    });

    test('the command fails on it, listing the declarations; a missing entry point fails too', () => {
      const cmd = (): { status: number | null; out: string } => {
        const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'check-no-any.js'), '--package', dir], { encoding: 'utf8', timeout: 60000 });
        return { status: r.status, out: r.stdout };
      };
      let r = cmd();
      expect(r.status).toBe(1);
      expect(r.out).toMatch(/dist\/leaky\.d\.ts:1:\d+: `any` in Hidden/);
      expect(r.out).toMatch(/`any` in Extra\.forward/);
      fs.renameSync(path.join(dir, 'dist', 'sub'), path.join(dir, 'dist', 'gone'));
      try {
        r = cmd();
        expect(r.status).toBe(1);
        expect(r.out).toMatch(/missing entry point: dist\/sub\/index\.d\.ts/);
      } finally {
        fs.renameSync(path.join(dir, 'dist', 'gone'), path.join(dir, 'dist', 'sub'));
      }
    });
  });
});
