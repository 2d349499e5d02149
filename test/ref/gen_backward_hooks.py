# gen_backward_hooks.py - reference values for test/backward_hooks.test.ts: nn.Module full backward hooks
# (register_full_backward_hook) as PyTorch 1.13 runs them: the grad_input / grad_output each hook sees, the order the
# hooks run in, and the gradients the leaves end up with (also when a hook replaces grad_input).
# Run: /usr/bin/python3 test/ref/gen_backward_hooks.py  (writes test/ref/backward_hooks.json)
import json, os
import torch

torch.set_default_dtype(torch.float32)


def lst(t):
    return None if t is None else t.detach().tolist()


def lin(i, o, k):
    m = torch.nn.Linear(i, o)
    with torch.no_grad():
        m.weight.copy_(torch.arange(i * o, dtype=torch.float32).reshape(o, i).sub(k).div(7))
        m.bias.copy_(torch.arange(o, dtype=torch.float32).sub(0.5 * k).div(5))
    return m


X = [[1.0, -2.0, 0.5], [0.25, 1.5, -1.0]]
C = [[1.0, 2.0], [-1.0, 0.5]]
out = {}
calls = []


def rec(name):
    def h(m, gi, go):
        calls.append({'name': name, 'gradInput': [lst(g) for g in gi], 'gradOutput': [lst(g) for g in go]})
    return h


# Linear
m = lin(3, 2, 2)
m.register_full_backward_hook(rec('linear'))
x = torch.tensor(X, requires_grad=True)
(m(x) * torch.tensor(C)).sum().backward()
out['linear'] = {'calls': calls, 'xGrad': lst(x.grad), 'wGrad': lst(m.weight.grad), 'bGrad': lst(m.bias.grad)}
calls = []

# Sequential: hooks on the container and on its two Linears
seq = torch.nn.Sequential(lin(3, 4, 3), torch.nn.Tanh(), lin(4, 2, 5))
seq.register_full_backward_hook(rec('seq'))
seq[0].register_full_backward_hook(rec('seq.0'))
seq[2].register_full_backward_hook(rec('seq.2'))
x = torch.tensor(X, requires_grad=True)
(seq(x) * torch.tensor(C)).sum().backward()
out['sequential'] = {'calls': calls, 'xGrad': lst(x.grad), 'w0Grad': lst(seq[0].weight.grad)}
calls = []


class Two(torch.nn.Module):
    def forward(self, a, b, s):
        return a * b + a * s, b.sum()


# two tensor inputs (b without requires_grad, then with) and a number; two outputs (the second unused)
two = Two()
two.register_full_backward_hook(rec('two'))
a = torch.tensor([1.0, 2.0, -0.5], requires_grad=True)
b = torch.tensor([3.0, 4.0, 0.25])
y, z = two(a, b, 2.0)
(y * torch.tensor([1.0, -1.0, 2.0])).sum().backward()
b.requires_grad_()
y, z = two(a, b, 2.0)
(y * torch.tensor([1.0, -1.0, 2.0])).sum().backward()
out['two'] = {'calls': calls, 'aGrad': lst(a.grad), 'bGrad': lst(b.grad)}
calls = []

# replacement: the first hook doubles grad_input, the second sees the doubled one
m = lin(3, 2, 2)
m.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 2,))
m.register_full_backward_hook(rec('replaced'))
x = torch.tensor(X, requires_grad=True)
(m(x) * torch.tensor(C)).sum().backward()
out['replace'] = {'calls': calls, 'xGrad': lst(x.grad), 'wGrad': lst(m.weight.grad)}
calls = []


# no input requires grad: the hook runs from the outputs' node, grad_input all None
class Scale(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.tensor([1.0, 2.0]))

    def forward(self, x):
        return x * self.w


s = Scale()
s.register_full_backward_hook(rec('noInputGrad'))
s(torch.tensor([3.0, 4.0])).sum().backward()
out['noInputGrad'] = {'calls': calls, 'wGrad': lst(s.w.grad)}
calls = []

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'backward_hooks.json'), 'w') as f:
    json.dump({'torch': torch.__version__, **out}, f, indent=1)
    f.write('\n')
