// amp_schema.test.ts - the schema's autocast= column drives autocast: scripts/gen-autocast.js turns it into
// lib/amp/policy.generated.ts, and amp/autocast.ts dispatches the schema's ops on that table (its hand-written table
// holds only ops without a schema row). Shown here by a table changed under the library (jest.mock): an op the
// change lists is cast, an op it unlists is not. The values autocast gives against PyTorch are test/amp.test.ts's.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

// the generated table with CPU changes: exp listed as fp32 (PyTorch lists it on CUDA only), prod unlisted
jest.mock('../lib/amp/policy.generated', () => {
  const actual = jest.requireActual('../lib/amp/policy.generated') as typeof import('../lib/amp/policy.generated');
  const cpu: Record<string, string> = { ...actual.SCHEMA_AUTOCAST.cpu, exp: 'fp32' };
  delete cpu.prod;
  return { SCHEMA_AUTOCAST: { cpu, cuda: actual.SCHEMA_AUTOCAST.cuda } };
});

import * as torch from '../lib';
import { autocastPolicy, autocastSources } from '../lib/amp/autocast';
import { SCHEMA } from '../lib/ops/generated';

const root = path.join(__dirname, '..');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const gen = require('../scripts/gen-autocast.js') as {
  parseAutocast(v: string, where: string): Record<string, string>;
  autocastTable(rows: unknown[]): Record<'cpu' | 'cuda', Record<string, string>>;
};
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { parseSchema } = require('../scripts/gen-schema.js') as { parseSchema(text: string): { py: string; autocast: string | null }[] };

const schemaRows = parseSchema(fs.readFileSync(path.join(root, 'lib', 'ops', 'ops.schema'), 'utf8'));
const actualTable = gen.autocastTable(schemaRows);

describe('lib/amp/policy.generated.ts from the schema', () => {
  test('is what scripts/gen-autocast.js makes of lib/ops/ops.schema', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'gen-autocast.js'), '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('holds every autocast= row, on the devices it names and no others', () => {
    const rows = schemaRows.filter((r) => r.autocast);
    expect(rows.length).toBeGreaterThanOrEqual(20);
    for (const row of rows) {
      const want = Object.fromEntries(row.autocast!.split(',').map((kv) => kv.split(':')));
      expect([row.py, actualTable.cpu[row.py] ?? null, actualTable.cuda[row.py] ?? null]).toEqual([row.py, want.cpu ?? null, want.cuda ?? null]);
    }
    // a few entries spelled out (PyTorch 1.13's autocast_mode.cpp)
    expect(actualTable.cpu).toMatchObject({ prod: 'fp32', cat: 'promote', stack: 'promote', index_copy: 'promote' });
    expect(actualTable.cuda).toMatchObject({ exp: 'fp32', pow: 'fp32', sum: 'fp32opt', prod: 'fp32opt', softmax: 'fp32opt', scatter_add: 'promote', atan2: 'promote', softplus: 'fp32' });
    expect(actualTable.cpu.exp).toBeUndefined();
  });

  test('the column must name its devices; unknown devices and categories, a device twice, and two rows of one op that disagree are refused', () => {
    expect(gen.parseAutocast('cpu:fp32,cuda:fp32opt', 'x')).toEqual({ cpu: 'fp32', cuda: 'fp32opt' });
    expect(() => gen.parseAutocast('fp32', 'ops.schema:9')).toThrow(/ops\.schema:9: autocast=fp32: name the device types/);
    expect(() => gen.parseAutocast('tpu:fp32', 'x')).toThrow(/unknown device type 'tpu'/);
    expect(() => gen.parseAutocast('cuda:fp16', 'x')).toThrow(/unknown category 'fp16'/);
    expect(() => gen.parseAutocast('cuda:fp32,cuda:promote', 'x')).toThrow(/'cuda' given twice/);
    const rows = parseSchema([
      'softplus(input: Tensor) -> Tensor | function | autocast=cuda:fp32',
      'F.softplus(input: Tensor) -> Tensor | function | autocast=cpu:fp32',
    ].join('\n'));
    expect(() => gen.autocastTable(rows)).toThrow(/ops\.schema:2: autocast=cpu:fp32 disagrees with ops\.schema:1/);
    expect(gen.autocastTable([rows[0], { ...rows[1], autocast: 'cuda:fp32' }])).toEqual({ cpu: {}, cuda: { softplus: 'fp32' } });
  });
});

describe('autocast.ts dispatches on the generated table', () => {
  test('the hand-written table holds only ops the schema has no row for', () => {
    const schemaOps = new Set(SCHEMA.map((r) => r.op.replace(/^F\./, '')));
    const src = autocastSources();
    for (const d of ['cpu', 'cuda'] as const) {
      expect(src[d].handWritten.length).toBeGreaterThan(0);
      expect([d, src[d].handWritten.filter((op) => schemaOps.has(op))]).toEqual([d, []]);
      for (const op of src[d].schema) expect(schemaOps.has(op)).toBe(true);
    }
    // the matmul family, the losses and the recurrent layers stay hand-written (no schema rows)
    expect(autocastPolicy('mm', 'cpu')).toBe('lower');
    expect(autocastPolicy('cross_entropy_loss', 'cuda')).toBe('fp32');
    expect(autocastPolicy('lstm', 'cuda')).toBe('lowerInputs');
    // an nn.functional row is named as the schema names it
    expect(autocastPolicy('F.softplus', 'cuda')).toBe('fp32');
    expect(autocastPolicy('constructor', 'cpu')).toBeNull();
  });

  test('an op the (changed) table lists is cast, one it unlists is not, the rest as generated', () => {
    expect(autocastPolicy('exp', 'cpu')).toBe('fp32');
    expect(autocastPolicy('prod', 'cpu')).toBeNull();
    const x = torch.tensor([0.5, -1.25, 2], { dtype: 'bfloat16' });
    const y = torch.tensor([1.5, 2, 0.25], { dtype: 'float32' });
    const r = torch.autocast('cpu', () => ({
      exp: torch.exp(x), expMethod: x.exp(), prod: torch.prod(x), sum: torch.sum(x), mm: torch.mm(y.reshape([3, 1]), y.reshape([1, 3])),
    }));
    expect(r.exp.dtype).toBe('float32');          // listed by the change: cast to float32
    expect(r.expMethod.dtype).toBe('float32');
    expect(r.prod.dtype).toBe('bfloat16');        // unlisted by the change: runs in its input's dtype
    expect(r.sum.dtype).toBe('bfloat16');         // not listed on CPU (fp32opt is CUDA's)
    expect(r.mm.dtype).toBe('bfloat16');          // hand-written: lower
    expect(Array.from(r.exp.toTypedArray() as Float32Array)).toEqual([0.5, -1.25, 2].map((v) => Math.fround(Math.exp(v))));
    // outside autocast nothing is cast
    expect(torch.exp(x).dtype).toBe('bfloat16');
  });
});
