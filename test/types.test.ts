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
