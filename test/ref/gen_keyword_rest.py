#!/usr/bin/env python3
"""gen_keyword_rest.py - PyTorch 1.13's results for the last keyword forms of issue 11 (test/keyword_audit.test.ts, its
"the last keyword gaps" section): the deprecated add/sub(input, alpha, other), torch.norm's positional out and dtype,
F.normalize's out, out= on softmax ... nonzero, the non_blocking flags of to/type/copy_, expand's implicit, gather's
sparse_grad=False, layout=torch.strided, and the errors of pin_memory=True on a CPU-only build and of
sparse_grad=True's gradient. Each case: the result's shape, dtype and values, or the error's type and message.
Run: /usr/bin/python3 test/ref/gen_keyword_rest.py (writes test/ref/keyword_rest.json; byte-identical on a rerun)."""
import json, os, warnings
import torch
import torch.nn.functional as F

warnings.simplefilter('ignore')


def X(): return torch.tensor([[0.5, -1.25, 2.0], [1.5, -0.25, 3.0]])
def Y(): return torch.tensor([[1.0, 2.0, -0.5], [0.25, 4.0, 1.5]])
def XI(): return torch.tensor([[5, 3, 6], [2, 7, 12]])
def YI(): return torch.tensor([[3, 1, 4], [6, 5, 10]])
def NANS(): return torch.tensor([[float('nan'), float('inf'), -float('inf')], [1.5, float('nan'), 2.0]])
def MASK(): return torch.tensor([[True, False, True], [False, True, False]])
def IDX(): return torch.tensor([[0, 1, 0], [1, 0, 1]])
def E(dtype=torch.float32): return torch.empty(0, dtype=dtype)


def inplace(f):
    x = X()
    r = f(x)
    assert r is x
    return x


def out_of(f, dtype=torch.float32):
    o = E(dtype)
    r = f(o)
    assert r is o
    return o


CASES = {
    # the deprecated add(input, alpha, other) / sub(input, alpha, other) (PyTorch warns once)
    'add_alpha_other': lambda: torch.add(X(), 2, Y()),
    'add_alpha_other_kw': lambda: torch.add(X(), 2, other=Y()),
    'add_alpha_other_out': lambda: out_of(lambda o: torch.add(X(), 2, Y(), out=o)),
    'add_alpha_int': lambda: torch.add(XI(), 3, YI()),
    'add_alpha_scalar_other': lambda: torch.add(X(), 2, 3),
    'sub_alpha_other': lambda: torch.sub(X(), 0.5, Y()),
    'method_add_alpha_other': lambda: X().add(2, Y()),
    'method_sub_alpha_other': lambda: X().sub(2, Y()),
    'method_sub_alpha_other_kw': lambda: X().sub(2, other=Y()),
    'inplace_add_alpha_other': lambda: inplace(lambda x: x.add_(2, Y())),
    'inplace_sub_alpha_other': lambda: inplace(lambda x: x.sub_(-1.5, Y())),
    'add_alpha_float_int_error': lambda: torch.add(XI(), 2.5, YI()),
    # norm: torch.norm(input, p, dim, keepdim, out, dtype), Tensor.norm(p, dim, keepdim, dtype)
    'norm_dtype_pos': lambda: torch.norm(X(), 2, 1, False, None, torch.float64),
    'norm_out_pos': lambda: out_of(lambda o: torch.norm(X(), 2, 1, True, o)),
    'norm_out_dtype_pos': lambda: out_of(lambda o: torch.norm(X(), 3, [0, 1], False, o, torch.float64), torch.float64),
    'method_norm_dtype_pos': lambda: X().norm(1, 0, True, torch.float64),
    'normalize_out_pos': lambda: out_of(lambda o: F.normalize(X(), 2.0, 1, 1e-12, o)),
    'normalize_out_kw': lambda: out_of(lambda o: F.normalize(X(), p=1.0, dim=0, out=o)),
    # out= on the rows PyTorch's functions take it
    'softmax_out': lambda: out_of(lambda o: torch.softmax(X(), 1, out=o)),
    'log_softmax_out': lambda: out_of(lambda o: torch.log_softmax(X(), 0, out=o)),
    'max_other_out': lambda: out_of(lambda o: torch.max(X(), Y(), out=o)),
    'min_other_out': lambda: out_of(lambda o: torch.min(X(), other=Y(), out=o)),
    'msort_out': lambda: out_of(lambda o: torch.msort(X(), out=o)),
    'nan_to_num_out': lambda: out_of(lambda o: torch.nan_to_num(NANS(), 0.5, out=o)),
    'std_out': lambda: out_of(lambda o: torch.std(X(), [1], False, True, out=o)),
    'var_correction_out': lambda: out_of(lambda o: torch.var(X(), [0], correction=0, out=o)),
    'where_out': lambda: out_of(lambda o: torch.where(MASK(), X(), Y(), out=o)),
    'nonzero_out': lambda: out_of(lambda o: torch.nonzero(X().gt(0), out=o), torch.int64),
    # non_blocking (no effect on the CPU), implicit (no effect), sparse_grad=False
    'to_dtype_flags': lambda: X().to(torch.float64, True, True),
    'to_device_dtype_flags': lambda: X().to('cpu', torch.float64, True, False),
    'to_other_flags': lambda: X().to(XI(), False, True),
    'type_non_blocking': lambda: X().type(torch.float64, True),
    'type_name_non_blocking': lambda: X().type(None, True),
    'type_kw_non_blocking': lambda: X().type(non_blocking=True),
    'type_tensor_name': lambda: X().type('torch.DoubleTensor'),
    'copy_non_blocking': lambda: inplace(lambda x: x.copy_(Y(), True)),
    'expand_implicit': lambda: X()[:1].expand(2, 3, implicit=True),
    'gather_sparse_grad_false': lambda: torch.gather(X(), 1, IDX(), sparse_grad=False),
    # layout
    'zeros_strided': lambda: torch.zeros(2, 3, layout=torch.strided),
    'full_like_strided': lambda: torch.full_like(X(), 1.5, layout=torch.strided, dtype=torch.float64),
    'arange_strided': lambda: torch.arange(1, 4, layout=torch.strided),
    'strided_str': lambda: str(torch.strided),
    'layout_of_tensor': lambda: str(X().layout),
    # pin_memory=True without CUDA (this PyTorch is a CPU-only build): an error, as Tensor.pin_memory()'s
    'zeros_pin_memory_cpu_only': lambda: torch.zeros(2, pin_memory=True),
    'tensor_pin_memory_cpu_only': lambda: torch.tensor([1.5], pin_memory=True),
    'zeros_pin_memory_false': lambda: torch.zeros(2, pin_memory=False),
}


def record(v):
    if isinstance(v, torch.Tensor):
        vals = v.tolist()
        return {'shape': list(v.shape), 'dtype': str(v.dtype).replace('torch.', ''), 'values': vals}
    return {'value': v}


def main():
    out = {'torch': torch.__version__.split('+')[0], 'cuda': torch.cuda.is_available(), 'cases': {}}
    for name, f in CASES.items():
        try:
            out['cases'][name] = record(f())
        except Exception as e:  # noqa: BLE001 (the error is the reference)
            out['cases'][name] = {'error': type(e).__name__, 'message': str(e).split('\n')[0][:200]}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'keyword_rest.json')
    with open(path, 'w') as fh:
        json.dump(out, fh, indent=1, sort_keys=True, allow_nan=True)
        fh.write('\n')


if __name__ == '__main__':
    main()
