# gen_notimpl_forms.py - reference values for test/notimpl_forms.test.ts: the PyTorch forms nodetorch used to refuse
# (the keyword audit's former NOT_IMPLEMENTED list): a number as the input (torch.pow(2, x) and the Scalar-self
# overloads; torch.add(2, 3) and the numbers-as-tensors ops), round(decimals=), scatter(value=), tensor_split(indices=),
# the losses' positional weight. Each case: the result's values, dtype and grad_fn, the input's gradient where one
# flows, or PyTorch's error (type and first line).
# Run: /usr/bin/python3 test/ref/gen_notimpl_forms.py  (writes test/ref/notimpl_forms.json)
import json, math, os
import torch
F = torch.nn.functional


def enc(v):
    if isinstance(v, float):
        return 'nan' if math.isnan(v) else ('inf' if v == math.inf else ('-inf' if v == -math.inf else v))
    if isinstance(v, list):
        return [enc(e) for e in v]
    return v


def X():
    return torch.tensor([1.5, -2.0, 0.5, 0.0], requires_grad=True)


XI = lambda: torch.tensor([1, 2, 3])
R = lambda: torch.tensor([1.2345, -2.5, 0.125, 2.675, 1234.5, -0.05, 15.0, 25.0, 0.5, 1.5, -0.125, 2.5e-3])
COND = lambda: torch.tensor([True, False, True, False])

CASES = {}


def case(name, fn, grad=False):
    x = X()
    try:
        r = fn(x)
    except Exception as e:
        CASES[name] = {'error': type(e).__name__, 'message': str(e).split('\n')[0]}
        return
    if isinstance(r, (tuple, list)):
        CASES[name] = {'pieces': [enc(t.tolist()) for t in r]}
        return
    if isinstance(r, torch.dtype):
        CASES[name] = {'dtype': str(r).replace('torch.', '')}
        return
    c = {'value': enc(r.tolist()), 'dtype': str(r.dtype).replace('torch.', ''),
         'gradFn': None if r.grad_fn is None else type(r.grad_fn).__name__}
    if grad:
        try:
            r.sum().backward()
            c['grad'] = enc(x.grad.tolist())
        except Exception as e:
            c['backwardError'] = str(e).split('\n')[0]
    CASES[name] = c


# a number as the input: the Scalar-self overloads
case('pow(2, x)', lambda x: torch.pow(2, x), True)
case('pow(0, x)', lambda x: torch.pow(0, x), True)
case('pow(2, xi)', lambda x: torch.pow(2, XI()))
case('pow(2.5, xi)', lambda x: torch.pow(2.5, XI()))
case('pow(2, 3)', lambda x: torch.pow(2, 3))
case('remainder(2, x)', lambda x: torch.remainder(2, x), True)
case('remainder(2.5, xi)', lambda x: torch.remainder(2.5, XI()))
case('remainder(7, xi)', lambda x: torch.remainder(7, XI()))
case('remainder(2, xi, out)', lambda x: torch.remainder(2, XI(), out=torch.empty(3, dtype=torch.int64)))
case('bitwise_and(3, xi)', lambda x: torch.bitwise_and(3, XI()))
case('bitwise_or(true, cond)', lambda x: torch.bitwise_or(True, COND()))
case('bitwise_xor(5, xi)', lambda x: torch.bitwise_xor(5, XI()))
case('bitwise_and(2.5, xi)', lambda x: torch.bitwise_and(2.5, XI()))
case('xlogy(2, x)', lambda x: torch.xlogy(2, x), True)
case('xlogy(3, xi)', lambda x: torch.xlogy(3, XI()))
case('where(cond, 2, x)', lambda x: torch.where(COND(), 2, x), True)
case('where(cond, 2, 3)', lambda x: torch.where(COND(), 2, 3))
case('where(cond, 2.5, 3)', lambda x: torch.where(COND(), 2.5, 3))
case('result_type(2, x)', lambda x: torch.result_type(2, x))
case('result_type(2, xi)', lambda x: torch.result_type(2, XI()))
case('result_type(2.5, xi)', lambda x: torch.result_type(2.5, XI()))
# numbers as tensors (PyTorch's argument parser takes a number for add/sub/mul/div/floor_divide's input)
case('add(2, 3)', lambda x: torch.add(2, 3))
case('add(2, 3, alpha=2)', lambda x: torch.add(2, 3, alpha=2))
case('add(2, x)', lambda x: torch.add(2, x), True)
case('sub(2, x, alpha=3)', lambda x: torch.sub(2, x, alpha=3), True)
case('sub(true, xi)', lambda x: torch.sub(True, XI()))
case('mul(2.5, 2)', lambda x: torch.mul(2.5, 2))
case('mul(2, x)', lambda x: torch.mul(2, x), True)
case('div(2, 3)', lambda x: torch.div(2, 3))
case('div(7, xi, floor)', lambda x: torch.div(7, XI(), rounding_mode='floor'))
case('div(1, x)', lambda x: torch.div(1, x), True)
case('true_divide(2, xi)', lambda x: torch.true_divide(2, XI()))
case('floor_divide(7, xi)', lambda x: torch.floor_divide(7, XI()))
case('floor_divide(2.5, xi)', lambda x: torch.floor_divide(2.5, XI()))
case('multiply(true, xi)', lambda x: torch.multiply(True, XI()))

# round(decimals=): half to even after the scaling, in the dtype's math type
for d in [2, 1, 3, 0, -1, -2]:
    for dt in ['float32', 'float64', 'bfloat16']:
        case(f'round({dt}, {d})', lambda x, d=d, dt=dt: torch.round(R().to(getattr(torch, dt)), decimals=d))
case('round(x, 1) grad', lambda x: torch.round(x, decimals=1), True)
case('round(int64, 1)', lambda x: torch.round(XI(), decimals=1))
case('round(float16, 1)', lambda x: torch.round(R().half(), decimals=1))
case('round_(1)', lambda x: R().round_(decimals=1))

# scatter(value=), tensor_split(indices=/sections=)
IDX = lambda: torch.tensor([[0, 1, 2], [2, 0, 1]])
case('scatter(value=1.5)', lambda x: torch.zeros(2, 3).scatter(1, IDX(), value=1.5))
case('scatter(value=2, reduce=add)', lambda x: torch.scatter(torch.ones(2, 3), 1, IDX(), value=2.0, reduce='add'))
case('scatter(value=3, reduce=multiply)', lambda x: torch.ones(2, 3).scatter(1, IDX()[:, :2], value=3.0, reduce='multiply'))
case('scatter_(value=-1)', lambda x: torch.zeros(2, 3).scatter_(1, IDX()[:, :1], value=-1.0))
case('scatter(value=tensor)', lambda x: torch.zeros(2, 3).scatter(1, IDX(), value=torch.ones(2, 3)))
A7 = lambda: torch.arange(7.0)
case('tensor_split(3)', lambda x: torch.tensor_split(A7(), 3))
case('tensor_split(sections=3)', lambda x: torch.tensor_split(A7(), sections=3))
case('tensor_split([1, 4])', lambda x: torch.tensor_split(A7(), [1, 4]))
case('tensor_split(indices=[1, 4])', lambda x: torch.tensor_split(A7(), indices=[1, 4]))
case('tensor_split(indices=[-2, 3])', lambda x: torch.tensor_split(A7(), indices=[-2, 3]))
case('tensor_split(indices=[5, 2, 9])', lambda x: torch.tensor_split(A7(), indices=[5, 2, 9]))
case('tensor_split(indices=[])', lambda x: torch.tensor_split(A7(), indices=[]))
case('tensor_split(tensor([1, 5]))', lambda x: torch.tensor_split(A7(), torch.tensor([1, 5])))
case('tensor_split(tensor(2))', lambda x: torch.tensor_split(A7(), torch.tensor(2)))
case('tensor_split(indices=[1], dim=1)', lambda x: torch.arange(12.0).reshape(3, 4).tensor_split(indices=[1, 3], dim=1))
case('tensor_split(0)', lambda x: torch.tensor_split(A7(), 0))
case('tensor_split(tensor([1.]))', lambda x: torch.tensor_split(A7(), torch.tensor([1.0])))
case('tensor_split(tensor([[1]]))', lambda x: torch.tensor_split(A7(), torch.tensor([[1]])))
case('tensor_split(0-d input)', lambda x: torch.tensor_split(torch.tensor(1.0), 2))

# narrow with a 0-d integral tensor start (narrow.Tensor)
case('narrow(x, 0, tensor(1), 2)', lambda x: torch.narrow(x, 0, torch.tensor(1), 2), True)
case('narrow(x, 0, tensor(-2), 2)', lambda x: x.narrow(0, torch.tensor(-2), 2))
case('narrow(x, 0, tensor([1]), 2)', lambda x: x.narrow(0, torch.tensor([1]), 2))
case('narrow(x, 0, tensor(1.), 2)', lambda x: x.narrow(0, torch.tensor(1.0), 2))

# where(condition) alone: nonzero(condition, as_tuple=True)
C2 = lambda: torch.tensor([[True, False], [False, True]])
case('where(c)', lambda x: torch.where(C2()))
case('where(condition=c)', lambda x: torch.where(condition=C2()))
case('where(0-d)', lambda x: torch.where(torch.tensor(3.0)))
case('where(float)', lambda x: torch.where(torch.tensor([0.0, 2.0, 0.0, 1.0])))
case('where(c, ones)', lambda x: torch.where(C2(), torch.ones(2, 2)))

# conv padding='same' / 'valid' (an even kernel pads one more on the right, as PyTorch)
CX1 = lambda: torch.arange(14.0).reshape(1, 2, 7).sub(6).div(4)
CW1 = lambda: torch.arange(12.0).reshape(3, 2, 2).sub(5).div(6)
CX2 = lambda: torch.arange(50.0).reshape(1, 2, 5, 5).sub(20).div(9)
CW2 = lambda: torch.arange(24.0).reshape(2, 2, 3, 2).sub(11).div(10)
case('F.conv1d(same)', lambda x: F.conv1d(CX1(), CW1(), padding='same'))
case('F.conv1d(same, dilation=3)', lambda x: F.conv1d(CX1(), CW1(), None, 1, 'same', 3))
case('F.conv1d(valid)', lambda x: F.conv1d(CX1(), CW1(), padding='valid'))
case('F.conv2d(same)', lambda x: F.conv2d(CX2(), CW2(), torch.tensor([0.5, -1.0]), 1, 'same'))
case('F.conv2d(same, dilation=(2, 1))', lambda x: F.conv2d(CX2(), CW2(), padding='same', dilation=(2, 1)))
case('F.conv2d(same, stride=2)', lambda x: F.conv2d(CX2(), CW2(), stride=2, padding='same'))
case('F.conv2d(padding=bad)', lambda x: F.conv2d(CX2(), CW2(), padding='full'))

# the losses' weight (margin) positionally
LX = lambda: torch.tensor([[0.5, -1.25, 2.0], [1.5, -0.25, 3.0]])
LT = lambda: torch.tensor([0, 2])
W = lambda: torch.tensor([1.0, 2.0, 0.5])
P = lambda: torch.tensor([0.2, 0.7, 0.9])
Y = lambda: torch.tensor([0.0, 1.0, 1.0])
case('F.cross_entropy(x, t, w)', lambda x: F.cross_entropy(LX(), LT(), W()))
case('F.cross_entropy(x, t, w, reduction=sum)', lambda x: F.cross_entropy(LX(), LT(), W(), reduction='sum'))
case('F.nll_loss(x, t, w)', lambda x: F.nll_loss(LX(), LT(), W()))
case('F.binary_cross_entropy(p, y, w)', lambda x: F.binary_cross_entropy(P(), Y(), W()))
case('F.binary_cross_entropy_with_logits(p, y, w)', lambda x: F.binary_cross_entropy_with_logits(P(), Y(), W()))
case('F.margin_ranking_loss(p, y, y, 0.5)', lambda x: F.margin_ranking_loss(P(), Y(), Y(), 0.5))
case('nn.CrossEntropyLoss(w)', lambda x: torch.nn.CrossEntropyLoss(W())(LX(), LT()))
case('nn.NLLLoss(w)', lambda x: torch.nn.NLLLoss(W())(LX(), LT()))
case('nn.BCELoss(w)', lambda x: torch.nn.BCELoss(W())(P(), Y()))
case('nn.BCEWithLogitsLoss(w)', lambda x: torch.nn.BCEWithLogitsLoss(W())(P(), Y()))

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'notimpl_forms.json'), 'w') as f:
    json.dump({'torch': torch.__version__, 'cases': CASES}, f, indent=0)
    f.write('\n')
