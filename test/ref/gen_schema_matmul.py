# gen_schema_matmul.py - references for test/schema_matmul.test.ts: the matmul family, norm and the small Tensor ops
# that are rows of lib/ops/ops.schema, called with PyTorch's keyword arguments (the TypeScript side passes the
# camelCase options), out=, the in-place variants, and gradients.
# Run: /usr/bin/python3 test/ref/gen_schema_matmul.py > test/ref/schema_matmul.json
import json
import math
import torch
from amp_ref import enc  # the fixtures' tensor encoding (amp_ref.py)

A = [[0.5, -1.0, 2.0], [1.5, -0.25, 3.0]]                              # 2x3
B = [[1.0, 0.5, -2.0, 0.25], [0.0, 2.0, 1.0, -1.5], [3.0, -0.5, 0.75, 1.0]]  # 3x4
C = [[0.25, -0.5, 1.0, 2.0], [1.0, 0.0, -1.0, 0.5]]                     # 2x4
V = [1.0, -2.0, 0.5]                                                    # 3
W = [0.5, 4.0]                                                          # 2
B1 = [[[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]], [[0.25, -0.5, 1.0], [2.0, 1.0, -2.0]]]  # 2x2x3
cases = {}
errors = {}


def put(name, t):
    cases[name] = [enc(u) for u in t] if isinstance(t, (list, tuple)) else enc(t)


def err(name, f):
    try:
        f()
    except Exception as e:  # noqa: BLE001 - the message is the reference
        errors[name] = str(e).split('\n')[0]
        return
    raise AssertionError(name + ' did not fail')


a, b, c, v, w = (torch.tensor(x) for x in (A, B, C, V, W))
b1 = torch.tensor(B1)
b2 = torch.tensor(B).expand(2, 3, 4).clone()
cb = torch.tensor(C).unsqueeze(0).expand(2, 2, 4).clone()

# ---- matmul family ----
put('mm_kw', torch.mm(input=a, mat2=b))
put('mm_out', torch.mm(a, b, out=torch.empty(0)))
put('mm_method_kw', a.mm(mat2=b))
put('bmm_kw', torch.bmm(b1, mat2=b2))
put('bmm_out', torch.bmm(b1, b2, out=torch.empty(0)))
put('matmul_kw', torch.matmul(input=b1, other=b))
put('matmul_out', torch.matmul(a, v, out=torch.empty(0)))
put('matmul_method_kw', a.matmul(other=b))
put('dot_kw', torch.dot(v, tensor=v * 2))
put('dot_out', torch.dot(v, v, out=torch.empty(0)))
put('dot_method_kw', v.dot(tensor=v))
put('mv_kw', torch.mv(input=a, vec=v))
put('mv_out', torch.mv(a, v, out=torch.empty(0)))
put('addmm_kw', torch.addmm(c, a, b, beta=0.5, alpha=2))
put('addmm_named', torch.addmm(input=c, mat1=a, mat2=b))
put('addmm_out', torch.addmm(c, a, b, alpha=-1, out=torch.empty(0)))
put('addmm_method', c.addmm(a, mat2=b, beta=0))
x = c.clone(); x.addmm_(a, b, beta=0.5, alpha=-1); put('addmm_inplace', x)
put('addmm_broadcast', torch.addmm(torch.tensor([1.0, 2.0, 3.0, 4.0]), a, b, beta=2))
put('addmv_kw', torch.addmv(w, a, v, beta=2, alpha=0.5))
x = w.clone(); x.addmv_(mat=a, vec=v, alpha=3); put('addmv_inplace', x)
put('addmv_out', torch.addmv(w, a, v, out=torch.empty(0)))
put('baddbmm_kw', torch.baddbmm(cb, b1, b2, beta=-1, alpha=0.25))
x = cb.clone(); x.baddbmm_(b1, batch2=b2, beta=0.5); put('baddbmm_inplace', x)
put('baddbmm_out', torch.baddbmm(cb, b1, b2, out=torch.empty(0)))
put('outer_kw', torch.outer(input=v, vec2=w))
put('outer_promote', torch.outer(torch.tensor([1, 2, 3]), w))
put('ger_kw', torch.ger(v, vec2=w))
put('outer_out', torch.outer(v, w, out=torch.empty(0)))
# gradients of the in-place addmm_ through the in-place protocol
am = a.clone().requires_grad_(); bm = b.clone().requires_grad_(); cm = c.clone().requires_grad_()
y = cm * 1.0
y.addmm_(am, bm, beta=0.5, alpha=2)
(y * torch.tensor(C)).sum().backward()
put('addmm_inplace_grads', [cm.grad, am.grad, bm.grad])
err('mm_shapes', lambda: torch.mm(a, a))

# ---- norm ----
put('norm_fro_dims', torch.norm(a, p='fro', dim=[0, 1]))
put('norm_fro_dim', torch.norm(a, 'fro', 1))
put('norm_none', torch.norm(a, p=None))
put('norm_p3_dtype', torch.norm(a, 3, 1, True, dtype=torch.float64))
put('norm_out', torch.norm(a, 1, out=torch.empty(0)))
put('norm_method_inf', a.norm(p=float('inf'), dim=0, keepdim=True))
put('norm_method_kw', a.norm(dim=1))
put('norm_named', torch.norm(input=a, p=0.5, keepdim=True))
an = a.clone().requires_grad_()
torch.norm(an, 3, dim=1).sum().backward()
put('norm_p3_grad', an.grad)

# ---- small Tensor ops ----
z = torch.tensor([[-1.5, 0.0, 2.25], [float('inf'), -0.0, float('-inf')]])
n1 = torch.tensor([1.0, float('nan'), 3.0])
n2 = torch.tensor([1.001, float('nan'), 3.5])
put('sgn_kw', torch.sgn(input=z))
x = z.clone(); x.sgn_(); put('sgn_inplace', x)
put('signbit_kw', torch.signbit(input=z))
put('signbit_out', torch.signbit(z, out=torch.empty(0, dtype=torch.bool)))
put('isposinf_kw', torch.isposinf(input=z))
put('isneginf_method', z.isneginf())
put('frac_kw', torch.frac(input=a * 1.75))
x = a * 1.75; x.frac_(); put('frac_inplace', x)
put('frac_out', torch.frac(a * 1.75, out=torch.empty(0)))
put('isclose_pos', torch.isclose(n1, n2, 1e-2, 0, True))
put('isclose_kw', torch.isclose(n1, other=n2, atol=0.6, equal_nan=True))
put('isclose_method', n1.isclose(n2, rtol=0.2))
cases['allclose_pos'] = torch.allclose(n1, n2, 0.2, 0.0, True)
cases['allclose_kw'] = torch.allclose(input=n1, other=n2, rtol=0.2)
cases['allclose_method'] = n1.allclose(n2, atol=1.0, equal_nan=True)
cases['equal_kw'] = torch.equal(input=a, other=a.clone())
cases['equal_method'] = a.equal(other=b)
put('argwhere_kw', torch.argwhere(input=z))
put('argwhere_method', torch.tensor([[0, 1], [2, 0]]).argwhere())
put('as_strided_kw', torch.as_strided(a, size=[2, 2], stride=[1, 2], storage_offset=1))
put('as_strided_method', a.as_strided([3], stride=[2]))
put('as_strided_scatter_kw', torch.as_strided_scatter(a, src=torch.tensor([9.0, 8.0]), size=[2], stride=[3], storage_offset=1))
put('aminmax_kw', list(torch.aminmax(a, dim=1, keepdim=True)))
put('aminmax_all', list(a.aminmax()))
put('detach_kw', torch.detach(input=a))
x = a.clone(); x.copy_(torch.tensor([1, 2, 3]), non_blocking=True); put('copy_kw', x)
x = a.clone(); x.fill_(value=torch.tensor(2.5)); put('fill_kw', x)
put('clone_kw', torch.clone(input=a, memory_format=torch.contiguous_format))
put('nonzero_kw', torch.nonzero(input=z))
put('nonzero_tuple', list(torch.nonzero(z, as_tuple=True)))
put('nonzero_method_tuple', list(torch.tensor([[0, 1], [2, 0]]).nonzero(as_tuple=True)))
put('nonzero_false', torch.nonzero(z, as_tuple=False))
cases['numel_kw'] = torch.numel(input=b1)

print(json.dumps({'torch': torch.__version__, 'inputs': {'A': A, 'B': B, 'C': C, 'V': V, 'W': W, 'B1': B1}, 'cases': cases, 'errors': errors}, indent=None, separators=(',', ':')))
