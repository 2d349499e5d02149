# gen_print.py - PyTorch 1.13's reprs of tensors for test/print.test.ts: float notations (fixed, integer-valued, scientific),
# ties (round half to even), widths, rows wrapped at linewidth, summarisation, suffix wrapping, dtypes, empty tensors,
# and torch.set_printoptions. Each case: the values (as data + dtype + shape), options, and repr.
# Run: /usr/bin/python3 test/ref/gen_print.py
import json, math, torch

OUT = {'generated_by': 'test/ref/gen_print.py, torch ' + torch.__version__, 'cases': []}


def enc_vals(t):
    out = []
    for v in t.reshape(-1).tolist():
        if isinstance(v, float) and (math.isnan(v) or math.isinf(v)): out.append(str(v))
        else: out.append(v)
    return out


def case(name, t, opts=None, rg=False):
    torch.set_printoptions(profile='default')
    torch.set_printoptions(sci_mode=None)
    if opts: torch.set_printoptions(**opts)
    if rg: t = t.clone().requires_grad_(True)
    OUT['cases'].append({'name': name, 'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'data': enc_vals(t.detach()),
                         'opts': opts or {}, 'rg': rg, 'repr': repr(t)})
    torch.set_printoptions(profile='default')
    torch.set_printoptions(sci_mode=None)


torch.manual_seed(0)
case('scalar', torch.tensor(3.5))
case('scalar_int', torch.tensor(7))
case('scalar_nan', torch.tensor(float('nan')))
case('zeros', torch.zeros(3))
case('fixed', torch.tensor([0.5, -1.25, 2.0]))
case('int_valued', torch.tensor([1., 20., 300.]))
case('int_valued_sci_ratio', torch.tensor([1., 2000.]))
case('int_valued_big', torch.tensor([1e9, 2e9]))
case('sci_small', torch.tensor([1e-5, 0.5]))
case('sci_ratio', torch.tensor([0.001, 2.5]))
case('ties_half_even', torch.tensor([0.15625, 0.03125, 1.03125, -0.46875], dtype=torch.float64))
case('ties_exp', torch.tensor([1.03125e-5, 2.5, 12.5], dtype=torch.float64))
case('nan_inf', torch.tensor([float('nan'), float('inf'), -float('inf'), 1.5]))
case('nan_inf_int', torch.tensor([float('nan'), 2., -3.]))
case('neg_zero', torch.tensor([-0.0, 1.5]))
case('randn_2d', torch.randn(3, 4))
case('randn_3d', torch.randn(2, 3, 4))
case('long_row', torch.arange(30, dtype=torch.float32))
case('long_row_fixed', torch.randn(25))
case('long_row_int', torch.arange(40))
case('wide_2d', torch.randn(3, 20))
case('summarized_1d', torch.arange(2000, dtype=torch.float32))
case('summarized_2d', torch.randn(40, 50))
case('summarized_3d', torch.arange(24000).reshape(20, 30, 40))
case('summarized_sample_formatter', torch.cat([torch.ones(5), torch.full((1000,), 1e-6), torch.ones(5) * 2]))
case('float64', torch.randn(2, 3, dtype=torch.float64))
case('float16', torch.randn(3, dtype=torch.float16))
case('bfloat16', torch.randn(3).bfloat16())
case('int32', torch.tensor([1, -20, 300], dtype=torch.int32))
case('uint8', torch.tensor([1, 200], dtype=torch.uint8))
case('bool', torch.tensor([[True, False], [False, True]]))
case('empty', torch.zeros(0))
case('empty_2d', torch.zeros(0, 3))
case('empty_int', torch.zeros(0, dtype=torch.int64))
case('empty_f64_3d', torch.zeros(2, 0, 1, dtype=torch.float64))
case('requires_grad', torch.randn(3), rg=True)
case('suffix_wrap', torch.randn(14, dtype=torch.float64), rg=True)
case('suffix_wrap_2', torch.arange(13, dtype=torch.int16))
case('opts_precision', torch.randn(2, 3), {'precision': 2})
case('opts_precision_0', torch.tensor([0.5, 1.5, 2.5, -0.5]), {'precision': 0})
case('opts_sci_on', torch.tensor([0.5, 1.25]), {'sci_mode': True})
case('opts_sci_off', torch.tensor([1e-6, 1.0]), {'sci_mode': False})
case('opts_linewidth', torch.arange(20.), {'linewidth': 40})
case('opts_threshold', torch.arange(12.).reshape(3, 4), {'threshold': 5})
case('opts_edgeitems', torch.arange(30.), {'threshold': 10, 'edgeitems': 1})
case('opts_short', torch.randn(10, 10), {'profile': 'short', 'threshold': 50})
case('opts_full', torch.arange(1200), {'profile': 'full'})
case('big_ints', torch.tensor([123456789012, -5]))
case('mixed_magnitude_fixed', torch.tensor([123.456, 0.5, -7.25]))
json.dump(OUT, open(__file__.replace('gen_print.py', 'print.json'), 'w'))
print('wrote', len(OUT['cases']), 'cases')
