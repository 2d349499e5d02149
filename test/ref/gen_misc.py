# gen_misc.py - reference messages and numbers for test/misc.test.ts (torch.testing.assert_close, anomaly mode,
# deterministic-algorithms messages), from PyTorch 1.13. Run: /usr/bin/python3 test/ref/gen_misc.py
import json, os, torch

out = {'version': torch.__version__, 'assertClose': [], 'anomaly': {}}

def close_case(name, a, b, **kw):
    try:
        torch.testing.assert_close(a, b, **kw)
        out['assertClose'].append({'name': name, 'ok': True})
    except AssertionError as e:
        out['assertClose'].append({'name': name, 'ok': False, 'msg': str(e)})

def T(x, dtype):
    return {'data': x, 'dtype': dtype}

cases = [
    ('f32_one_off', [1.0, 2.0, 3.0, 4.0], [1.0, 2.5, 3.0, 4.0], 'float32', {}),
    ('f32_within', [1.0, 2.0, 3.0, 4.0], [1.0, 2.0 + 1e-6, 3.0, 4.0], 'float32', {}),
    ('f64_tight', [1.0, 2.0], [1.0, 2.0 + 1e-6], 'float64', {}),
    ('f64_rtol', [1.0, 2.0], [1.0, 2.0 + 1e-6], 'float64', {'rtol': 1e-5, 'atol': 0}),
    ('f16_one_off', [1.0, 2.0, 3.0], [1.0, 2.01, 3.0], 'float16', {}),
    ('bf16_within', [1.0, 2.0, 3.0], [1.0, 2.015625, 3.0], 'bfloat16', {}),
    ('i64_exact', [1, 2, 3], [1, 2, 4], 'int64', {}),
    ('f32_2d', [[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [3.5, 4.25]], 'float32', {}),
    ('nan_default', [1.0, float('nan')], [1.0, float('nan')], 'float32', {}),
    ('nan_equal', [1.0, float('nan')], [1.0, float('nan')], 'float32', {'equal_nan': True}),
    ('bool_exact', [True, False], [True, True], 'bool', {}),
]
for name, a, b, dt, kw in cases:
    ta = torch.tensor(a, dtype=getattr(torch, dt)); tb = torch.tensor(b, dtype=getattr(torch, dt))
    close_case(name, ta, tb, **kw)
    out['assertClose'][-1].update({'a': a if dt != 'float32' or name[:3] != 'nan' else [1.0, None], 'b': b if name[:3] != 'nan' else [1.0, None], 'dtype': dt,
                                   'kw': {k: v for k, v in kw.items()}})
# shape / dtype / device mismatches
close_case('shape', torch.zeros(2, 3), torch.zeros(3, 2)); out['assertClose'][-1].update({'kind': 'shape'})
close_case('dtype', torch.zeros(2), torch.zeros(2, dtype=torch.float64)); out['assertClose'][-1].update({'kind': 'dtype'})
close_case('dtype_nocheck', torch.zeros(2), torch.zeros(2, dtype=torch.float64), check_dtype=False); out['assertClose'][-1].update({'kind': 'dtype_nocheck'})
close_case('scalar', 1.25, 1.75); out['assertClose'][-1].update({'kind': 'scalar'})
close_case('scalar_int', 1, 2); out['assertClose'][-1].update({'kind': 'scalar_int'})
close_case('list', [torch.tensor([1.0]), torch.tensor([2.0])], [torch.tensor([1.0]), torch.tensor([2.5])]); out['assertClose'][-1].update({'kind': 'list'})
close_case('dict', {'a': torch.tensor([1.0]), 'b': torch.tensor([2.0])}, {'a': torch.tensor([1.0]), 'b': torch.tensor([2.5])}); out['assertClose'][-1].update({'kind': 'dict'})
close_case('stride', torch.zeros(2, 3).t().contiguous(), torch.zeros(2, 3).t(), check_stride=True); out['assertClose'][-1].update({'kind': 'stride'})
close_case('len', [torch.tensor([1.0])], [torch.tensor([1.0]), torch.tensor([2.0])]); out['assertClose'][-1].update({'kind': 'len'})
close_case('zero_dim', torch.tensor(1.0), torch.tensor(1.5)); out['assertClose'][-1].update({'kind': 'zero_dim'})
close_case('rel_inf', torch.tensor([0.0, 1.0]), torch.tensor([0.5, 0.0])); out['assertClose'][-1].update({'kind': 'rel_inf'})
close_case('inf', torch.tensor([float('inf'), 1.0]), torch.tensor([1.0, 1.0])); out['assertClose'][-1].update({'kind': 'inf'})
close_case('big', torch.tensor([1e20, 1.0]), torch.tensor([2e20, 1.0])); out['assertClose'][-1].update({'kind': 'big'})
close_case('msg', torch.tensor([1.0]), torch.tensor([2.0]), msg='custom message'); out['assertClose'][-1].update({'kind': 'msg'})

# anomaly mode: sqrt of a negative -> NaN in the backward of a later op
x = torch.tensor([-1.0, 4.0], requires_grad=True)
try:
    with torch.autograd.detect_anomaly():
        y = torch.sqrt(x)          # forward gives nan, SqrtBackward0 returns nan
        y.sum().backward()
except RuntimeError as e:
    out['anomaly']['sqrt'] = str(e)
x = torch.tensor([0.0, 1.0], requires_grad=True)
try:
    with torch.autograd.detect_anomaly():
        (x / x).sum().backward()
except RuntimeError as e:
    out['anomaly']['div'] = str(e)

# deterministic message
torch.use_deterministic_algorithms(True)
out['deterministic'] = {'enabled': torch.are_deterministic_algorithms_enabled(),
                        'warnOnly': torch.is_deterministic_algorithms_warn_only_enabled()}
torch.use_deterministic_algorithms(False)

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, 'misc.json'), 'w') as f:
    json.dump(out, f, indent=1)
