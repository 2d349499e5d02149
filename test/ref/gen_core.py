# gen_core.py - reference values from real PyTorch for test/core.test.ts (creation, elementwise incl. type
# promotion, shape ops, autograd). Run: /usr/bin/python3 test/ref/gen_core.py  (writes test/ref/core.json)
import json, math, torch
torch.manual_seed(0)

def enc(t):
    if isinstance(t, torch.Tensor):
        d = t.detach().reshape(-1).tolist()
        if t.dtype in (torch.float16, torch.bfloat16): d = t.detach().float().reshape(-1).tolist()
        fix = lambda v: ('nan' if v != v else ('inf' if v == math.inf else ('-inf' if v == -math.inf else v))) if isinstance(v, float) else v
        return {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'data': [fix(v) for v in d]}
    return t

cases = []
def case(name, expr, **kw):
    cases.append({'name': name, 'expr': expr, 'expected': enc(eval(expr, globals(), kw.get('env', {})))})

A = torch.tensor([[-1.5, 0.25, 2.0], [3.5, -0.75, 0.0]])
B = torch.tensor([0.5, -2.0, 4.0])
I = torch.tensor([[3, -7, 2], [0, 5, -1]])
J = torch.tensor([2, -3, 4])
U8 = torch.tensor([200, 3, 17], dtype=torch.uint8)
I8 = torch.tensor([-5, 3, 100], dtype=torch.int8)
BO = torch.tensor([True, False, True])
D = torch.tensor([1.25, -2.5, 3.0], dtype=torch.float64)
H = torch.tensor([1.5, -2.25, 0.1], dtype=torch.float16)
P = torch.tensor([0.3, 1.7, 4.2])
for op in ['neg', 'abs', 'sign', 'exp', 'expm1', 'sin', 'cos', 'tan', 'atan', 'sinh', 'cosh', 'tanh', 'sigmoid', 'relu', 'erf', 'floor', 'ceil', 'round', 'trunc', 'square']:
    case(f'{op}_f32', f'torch.{op}(A)')
for op in ['log', 'log1p', 'log2', 'log10', 'sqrt', 'rsqrt', 'reciprocal']:
    case(f'{op}_pos', f'torch.{op}(P)')
for op in ['asin', 'acos']:
    case(f'{op}', f'torch.{op}(torch.tensor([-0.9, 0.1, 0.7]))')
for op in ['neg', 'abs', 'sign', 'square', 'relu']:
    case(f'{op}_int', f'torch.{op}(I)')
for op in ['exp', 'sin', 'sqrt', 'sigmoid']:
    case(f'{op}_int_to_float', f'torch.{op}(J)')
case('round_half_even', 'torch.round(torch.tensor([0.5, 1.5, 2.5, -0.5, -1.5]))')
for op in ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'atan2', 'remainder', 'fmod', 'pow']:
    case(f'{op}_bcast', f'torch.{op}(A, B)')
for op in ['add', 'sub', 'mul', 'div', 'remainder', 'fmod', 'floor_divide']:
    case(f'{op}_int', f'torch.{op}(I, J)')
case('div_trunc_int', "torch.div(I, J, rounding_mode='trunc')")
case('div_floor_int', "torch.div(I, J, rounding_mode='floor')")
case('div_floor_f', "torch.div(A, B, rounding_mode='floor')")
case('pow_int', 'torch.pow(J, 3)')
case('pow_int_tensor', 'torch.pow(torch.tensor([2, 3, 4]), torch.tensor([3, 0, 2]))')
case('pow_scalar_base', 'torch.pow(2, A)')
case('pow_frac', 'torch.pow(P, 0.5)')
# type promotion
case('prom_int_float_scalar', 'I * 2.5')
case('prom_int_int_scalar', 'I * 2')
case('prom_f32_f64_0d', 'A + torch.tensor(1.0, dtype=torch.float64)')
case('prom_f32_f64_1d', 'B + D')
case('prom_u8_i8', 'U8 + I8')
case('prom_u8_scalar', 'U8 + 100')
case('prom_bool_int', 'BO + J')
case('prom_bool_bool', 'BO + BO')
case('prom_bool_float_scalar', 'BO * 1.5')
case('prom_half_float', 'H + B')
case('prom_half_scalar', 'H * 2.5')
case('prom_int_0d_float', 'J + torch.tensor(1.5)')
case('prom_i8_0d_i64', 'I8 + torch.tensor(5)')
case('prom_f16_0d_f64', 'H + torch.tensor(1.0, dtype=torch.float64)')
case('cmp_int_float', 'J < torch.tensor([2.5, -3.5, 4.0])')
case('eq_bool', 'BO == torch.tensor([True, True, False])')
case('bitwise_and_bool', 'BO & torch.tensor([True, True, False])')
case('bitwise_xor_int', 'torch.bitwise_xor(J, torch.tensor([7, 7, 7]))')
case('bitwise_not_int', 'torch.bitwise_not(J)')
case('logical_not_float', 'torch.logical_not(A)')
case('where_scalar', 'torch.where(A > 0, A, 0.0)')
case('where_int_float', 'torch.where(BO, J, B)')
case('clamp_int', 'torch.clamp(I, -2, 3)')
case('clamp_tensor', 'torch.clamp(A, min=torch.tensor([-1.0, 0.0, 1.0]))')
case('lerp_tensor_w', 'torch.lerp(A, torch.zeros(2, 3), torch.tensor([0.0, 0.5, 1.0]))')
case('nan_to_num', "torch.nan_to_num(torch.tensor([float('nan'), float('inf'), -float('inf'), 1.0]))")
case('isnan', "torch.isnan(torch.tensor([float('nan'), 1.0]))")
case('maximum_nan', "torch.maximum(torch.tensor([float('nan'), 1.0, 2.0]), torch.tensor([0.0, float('nan'), 3.0]))")
case('to_half_round', 'torch.tensor([0.1, 1e-5, 65519.0, 70000.0, -3.3333]).half()')
case('to_bf16_round', 'torch.tensor([0.1, 1e-5, 3.3333, 1e30]).bfloat16()')
case('float_to_int_cast', 'torch.tensor([-1.7, 2.9, 0.5]).long()')
case('float_to_u8_cast', 'torch.tensor([3.7, 250.2]).to(torch.uint8)')
case('int_to_bool', 'torch.tensor([0, 3, -1]).bool()')
case('half_math', 'H * H + H')
case('bf16_add', 'torch.tensor([1.5, 2.5], dtype=torch.bfloat16) + torch.tensor([0.01, 100.0], dtype=torch.bfloat16)')
# creation
case('arange_float', 'torch.arange(0, 1, 0.25)')
case('arange_neg', 'torch.arange(5, 0, -2)')
case('linspace', 'torch.linspace(-1, 1, 7)')
case('linspace_int', 'torch.linspace(0, 10, 4, dtype=torch.int64)')
case('eye_rect', 'torch.eye(3, 5)')
case('full_bool', 'torch.full((2,), True)')
case('full_int', 'torch.full((2, 2), 7)')
# shape
X = torch.arange(24.).reshape(2, 3, 4)
case('permute', 'X.permute(2, 0, 1).contiguous()')
case('transpose_reshape', 'X.transpose(0, 2).reshape(4, 6)')
case('flip', 'X.flip([0, 2])')
case('roll', 'X.roll(1, 1)')
case('roll_flat', 'X.roll(5)')
case('tril', 'X.tril(-1)')
case('triu', 'X.triu(1)')
case('repeat', 'X[:, :2, :1].repeat(2, 1, 3)')
case('tile', 'torch.tensor([1, 2]).tile((2, 2))')
case('cat_promote', 'torch.cat([torch.tensor([1, 2]), torch.tensor([0.5])])')
case('stack_neg', 'torch.stack([B, B * 2], -1)')
case('diagonal', 'X.diagonal(0, 1, 2)')
case('diagonal_off', 'X.diagonal(1, 1, 2)')
case('narrow', 'X.narrow(2, 1, 2)')
case('select_neg', 'X.select(-1, -2)')
case('slice_step', 'X[:, ::2, 1:]')
case('expand', 'B.unsqueeze(0).expand(3, 3)')
case('movedim', 'X.movedim(0, -1).contiguous()')
case('chunk', 'torch.cat(torch.arange(10).chunk(4))')
case('split_sizes', 'torch.stack([t.sum() for t in torch.arange(10).split([3, 7])])')
case('unflatten', 'X.reshape(2, 12).unflatten(1, (3, -1))')
# gradients: g(x) = d/dx sum(f(x) * W)
W = torch.tensor([[0.3, -1.2, 0.7], [1.1, 0.4, -0.6]])
grads = []
def gcase(name, fexpr, inputs):
    ts = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in inputs]
    out = eval(fexpr, globals(), {'x': ts[0], 'y': ts[1] if len(ts) > 1 else None})
    w = torch.linspace(-1, 1, out.numel(), dtype=torch.float64).reshape(out.shape)
    (out * w).sum().backward()
    grads.append({'name': name, 'f': fexpr, 'inputs': inputs, 'out': enc(out), 'grads': [enc(t.grad) for t in ts]})
xv = [[-1.5, 0.25, 2.0], [3.5, -0.75, 0.3]]
yv = [0.5, -2.0, 4.0]
pv = [[0.3, 1.7, 4.2], [0.9, 2.2, 0.05]]
for op in ['exp', 'sin', 'cos', 'tanh', 'sigmoid', 'abs', 'neg', 'erf', 'atan', 'sinh', 'cosh', 'square', 'expm1', 'relu']:
    gcase(op, f'torch.{op}(x)', [xv])
for op in ['log', 'sqrt', 'rsqrt', 'reciprocal', 'log1p', 'log2', 'log10']:
    gcase(op, f'torch.{op}(x)', [pv])
for op in ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'atan2']:
    gcase(op + '_bcast', f'torch.{op}(x, y)', [xv, yv])
gcase('pow_tt', 'torch.pow(x, y)', [pv, [0.5, 2.0, -1.0]])
gcase('pow_scalar', 'x ** 3', [xv])
gcase('add_alpha', 'torch.add(x, y, alpha=-2.5)', [xv, yv])
gcase('where', 'torch.where(x > 0, x, y)', [xv, yv])
gcase('clamp', 'x.clamp(-1, 1)', [xv])
gcase('lerp', 'torch.lerp(x, y, 0.3)', [xv, yv])
gcase('permute_view', 'x.t().reshape(-1)[1:5]', [xv])
gcase('expand', 'y.expand(4, 3)', [yv, yv])
gcase('cat', 'torch.cat([x, y.unsqueeze(0)], 0)', [xv, yv])
gcase('stack', 'torch.stack([x[0], y], 1)', [xv, yv])
gcase('flip_roll', 'x.flip([1]).roll(1, 0)', [xv])
gcase('repeat', 'x.repeat(2, 2)', [xv])
gcase('tril', 'x.tril()', [xv])
gcase('diagonal', 'x.diagonal()', [xv])
gcase('select_narrow', 'x.select(1, 2) * x.narrow(1, 0, 1).squeeze(1)', [xv])
gcase('chain', '(x * y).sin().mul(x).exp().sum(1)', [xv, yv])
gcase('inplace_chain', '(x * 2).add_(y).mul_(x)', [xv, yv])
json.dump({'cases': cases, 'grads': grads}, open(__file__.replace('gen_core.py', 'core.json'), 'w'))
print(len(cases), 'cases', len(grads), 'grad cases')
