// prebuild.test.ts - the decisions scripts/install.js makes: when the CUDA build may link node-gyp's CPU objects
// instead of compiling native/*.cc again, when the prebuilt binaries are used, and what forces a source build.
// (The end-to-end proof, npm pack and installs without compilers, is scripts/ci/packed-install.sh.)
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const b = require('../scripts/install.js') as {
  cpuObjects(base: string, sources?: string[]): { objects?: string[]; objdir?: string; reason?: string };
  buildFromSourceRequested(argv: string[]): boolean;
  usePrebuilds(dir: string): { cpu: boolean; cuda: boolean; gloo: boolean } | null;
  tryLoad(file: string, kind: string): { ok: boolean; info?: { cudaBuilt: boolean }; error?: string };
};

const FLAGS = "'-DNAPI_EXPERIMENTAL' '-DNAPI_CPP_EXCEPTIONS' '-DNODE_ADDON_API_DISABLE_DEPRECATED' " +
  "'-DNODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS' -fPIC -pthread -O3 -fopenmp-simd -fno-math-errno -m64 -std=c++17 -fexceptions";

const tmp: string[] = [];
afterAll(() => { for (const d of tmp) fs.rmSync(d, { recursive: true, force: true }); });
function mkTmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-prebuild-test-'));
  tmp.push(d);
  return d;
}
function write(file: string, text: string, mtimeS: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  fs.utimesSync(file, mtimeS, mtimeS);
}

// a node-gyp tree as `node-gyp build` leaves it: native/x/a.cc including native/x/a.h, its object and .d file
function gypTree(opts: { flags?: string; objTime?: number; deps?: string[] } = {}): { base: string; obj: string; dep: string } {
  const base = mkTmp();
  const t = 1_700_000_000;
  write(path.join(base, 'native', 'x', 'a.cc'), '#include "a.h"\n', t);
  write(path.join(base, 'native', 'x', 'a.h'), '// header\n', t);
  const obj = path.join(base, 'build', 'Release', 'obj.target', 'nodetorch', 'native', 'x', 'a.o');
  write(obj, 'ELF', opts.objTime ?? t + 100);
  const dep = path.join(base, 'build', 'Release', '.deps', 'Release', 'obj.target', 'nodetorch', 'native', 'x', 'a.o.d');
  const deps = opts.deps ?? ['../native/x/a.cc', '../native/x/a.h'];
  write(dep, `cmd_Release/obj.target/nodetorch/native/x/a.o := g++ -o Release/obj.target/nodetorch/native/x/a.o ../native/x/a.cc ${opts.flags ?? FLAGS} -MMD -MF x.d.raw -c\n` +
    `Release/obj.target/nodetorch/native/x/a.o: ${deps[0]} \\\n ${deps.slice(1).join(' ')}\n${deps.slice(1).map((d) => `${d}:`).join('\n')}\n`, t + 100);
  return { base, obj, dep };
}

describe('install.js: the CUDA build links node-gyp CPU objects only when they are fresh and compatible', () => {
  test('fresh objects compiled with the needed flags are reused', () => {
    const { base, obj } = gypTree();
    const r = b.cpuObjects(base, ['native/x/a.cc']);
    expect(r.reason).toBeUndefined();
    expect(r.objects).toEqual([obj]);
    expect(r.objdir).toBe(path.join(base, 'build', 'Release', 'obj.target', 'nodetorch'));
  });
  test('an included header newer than the object makes it stale', () => {
    const { base } = gypTree();
    fs.utimesSync(path.join(base, 'native', 'x', 'a.h'), 1_700_000_200, 1_700_000_200);
    expect(b.cpuObjects(base, ['native/x/a.cc']).reason).toBe('build/Release/obj.target/nodetorch/native/x/a.o is older than native/x/a.h');
  });
  test('a source newer than the object makes it stale', () => {
    const { base } = gypTree();
    fs.utimesSync(path.join(base, 'native', 'x', 'a.cc'), 1_700_000_200, 1_700_000_200);
    expect(b.cpuObjects(base, ['native/x/a.cc']).reason).toMatch(/is older than native\/x\/a\.cc$/);
  });
  test('an object compiled without -fPIC or -O3 is not reused', () => {
    const { base } = gypTree({ flags: FLAGS.replace('-fPIC ', '').replace('-O3 ', '-O0 ') });
    expect(b.cpuObjects(base, ['native/x/a.cc']).reason).toMatch(/was compiled without -fPIC -O3$/);
  });
  test('a missing object, .d file or prerequisite, or a source with no object, is reported', () => {
    let t = gypTree();
    fs.rmSync(t.obj);
    expect(b.cpuObjects(t.base, ['native/x/a.cc']).reason).toMatch(/a\.o is missing$/);
    t = gypTree();
    fs.rmSync(t.dep);
    expect(b.cpuObjects(t.base, ['native/x/a.cc']).reason).toMatch(/a\.o\.d is missing$/);
    t = gypTree({ deps: ['../native/x/a.cc', '../native/x/gone.h'] });
    expect(b.cpuObjects(t.base, ['native/x/a.cc']).reason).toMatch(/depends on native\/x\/gone\.h, which is gone$/);
    t = gypTree();
    expect(b.cpuObjects(t.base, ['native/x/a.cc', 'native/x/b.cc']).reason).toMatch(/native\/x\/b\.o is missing$/);
  });
  test("this checkout's own objects, when built, pass the check for every source", () => {
    const root = path.join(__dirname, '..');
    const own = path.join(root, 'build', 'Release', 'obj.target', 'nodetorch');
    if (!fs.existsSync(own)) return;  // not built from source here (an install from the tarball)
    const r = b.cpuObjects(root);  // the sources scripts/sources.js lists
    // the objects may be stale in a working tree being edited; then the reason names a real file
    if (r.objects) expect(r.objects.length).toBeGreaterThan(10);
    else expect(r.reason).toMatch(/native\//);
  });
});

describe('install.js: what forces a source build', () => {
  const saved = { a: process.env.npm_config_build_from_source, b: process.env.NODETORCH_BUILD_FROM_SOURCE };
  afterEach(() => {
    for (const [k, v] of [['npm_config_build_from_source', saved.a], ['NODETORCH_BUILD_FROM_SOURCE', saved.b]] as const) {
      if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
  });
  test('--build-from-source, npm_config_build_from_source and NODETORCH_BUILD_FROM_SOURCE', () => {
    delete process.env.npm_config_build_from_source;
    delete process.env.NODETORCH_BUILD_FROM_SOURCE;
    expect(b.buildFromSourceRequested(['node', 'install.js'])).toBe(false);
    expect(b.buildFromSourceRequested(['node', 'install.js', '--build-from-source'])).toBe(true);
    process.env.npm_config_build_from_source = 'true';   // what `npm install --build-from-source` sets
    expect(b.buildFromSourceRequested(['node', 'install.js'])).toBe(true);
    process.env.npm_config_build_from_source = 'false';
    expect(b.buildFromSourceRequested(['node', 'install.js'])).toBe(false);
    process.env.NODETORCH_BUILD_FROM_SOURCE = '1';
    expect(b.buildFromSourceRequested(['node', 'install.js'])).toBe(true);
    process.env.NODETORCH_BUILD_FROM_SOURCE = '0';
    expect(b.buildFromSourceRequested(['node', 'install.js'])).toBe(false);
  });
});

describe('install.js: prebuilt binaries are used only when they load here', () => {
  const cpuAddon = path.join(__dirname, '..', 'build', 'Release', 'nodetorch.node');
  const haveAddon = fs.existsSync(cpuAddon);
  let log: jest.SpyInstance, warn: jest.SpyInstance;
  beforeEach(() => {
    log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => { log.mockRestore(); warn.mockRestore(); });

  test('no prebuilds for this platform: null (build from source)', () => {
    expect(b.usePrebuilds(mkTmp())).toBeNull();
    // a Gloo prebuild alone is not a core addon
    const d = mkTmp();
    write(path.join(d, 'gloo', 'nodetorch_gloo.node'), 'x', 1_700_000_000);
    expect(b.usePrebuilds(d)).toBeNull();
  });
  (haveAddon ? test : test.skip)('a CUDA prebuild that does not load falls back to the CPU prebuild, with a warning', () => {
    const d = mkTmp();
    fs.copyFileSync(cpuAddon, path.join(d, 'nodetorch.napi.node'));
    write(path.join(d, 'cuda', 'nodetorch.node'), 'not an ELF file', 1_700_000_000);
    write(path.join(d, 'gloo', 'nodetorch_gloo.node'), 'not an ELF file either', 1_700_000_000);
    const use = b.usePrebuilds(d);
    const cudaChecked = process.env.NODETORCH_CUDA !== '0';
    const glooChecked = process.env.NODETORCH_GLOO !== '0';
    expect(use).toEqual({ cpu: true, cuda: false, gloo: false });
    const warned = warn.mock.calls.map((c) => String(c[0])).join('\n');
    if (cudaChecked) expect(warned).toMatch(/the prebuilt CUDA addon does not load here \(.*(invalid ELF header|too short)/);
    const said = log.mock.calls.map((c) => String(c[0])).join('\n');
    expect(said).toMatch(/using the prebuilt CPU addon .*nodetorch\.napi\.node/);
    if (glooChecked) expect(said).toMatch(/the prebuilt distributed \(Gloo\) binding does not load here/);
  });
  (haveAddon ? test : test.skip)('tryLoad reports what a binary is', () => {
    const r = b.tryLoad(cpuAddon, 'core');
    expect(r.ok).toBe(true);
    expect(typeof r.info!.cudaBuilt).toBe('boolean');
    const garbage = path.join(mkTmp(), 'garbage.node');
    write(garbage, 'not an ELF file', 1_700_000_000);
    const bad = b.tryLoad(garbage, 'core');
    expect(bad.ok).toBe(false);
    expect(bad.error).toBeTruthy();
  });
});
