# gen_gradgrad.py - references for the double-backward test in test/autograd.test.ts: for each op, the gradient of
# sum(grad^2) where grad = d(f(a))/da was taken with create_graph=True (PyTorch 1.13, float64).
# Run: /usr/bin/python3 test/ref/gen_gradgrad.py > test/ref/gradgrad.json
import json, torch
import torch.nn.functional as F
A = (torch.arange(12, dtype=torch.float64).reshape(3, 4) * 0.37).sin() * 1.5
W = (torch.arange(16, dtype=torch.float64).reshape(4, 4) * 0.71 + 0.2).cos()
cases = {
  'softmax': lambda a: F.softmax(a, 1).pow(2).sum(), 'logSoftmax': lambda a: F.log_softmax(a, 1).pow(2).sum(),
  'crossEntropy': lambda a: F.cross_entropy(a, torch.tensor([0, 3, 1])), 'relu': lambda a: F.relu(a).pow(3).sum(),
  'sigmoid': lambda a: a.sigmoid().sum(), 'tanh': lambda a: a.tanh().sum(), 'gelu': lambda a: F.gelu(a).sum(), 'silu': lambda a: F.silu(a).sum(),
  'matmul': lambda a: a.matmul(W).pow(2).sum(), 'mean': lambda a: a.mean(1).pow(3).sum(), 'var': lambda a: a.var(1).sum(), 'std': lambda a: a.std(0).sum(),
  'norm': lambda a: a.norm(), 'layerNorm': lambda a: F.layer_norm(a, [4]).pow(3).sum(), 'max': lambda a: a.max(1).values.pow(3).sum(),
  'amax': lambda a: a.amax(1).pow(3).sum(), 'logsumexp': lambda a: a.logsumexp(1).sum(),
  'gather': lambda a: a.gather(1, torch.tensor([[0], [2], [3]])).pow(3).sum(), 'indexT': lambda a: a[torch.tensor([2, 0])].pow(3).sum(),
  'maskedFill': lambda a: a.masked_fill(a > 0, 0).pow(3).sum(), 'where': lambda a: torch.where(a > 0, a, a * 2).pow(3).sum(),
  'cumsum': lambda a: a.cumsum(1).pow(2).sum(), 'prod': lambda a: a.prod(1).sum(), 'sort': lambda a: a.sort(1).values.pow(3).sum(),
  'cat': lambda a: torch.cat([a, a * 2], 0).pow(3).sum(), 'stack': lambda a: torch.stack([a, a]).pow(3).sum(),
  'conv2d': lambda a: F.conv2d(a.reshape(1, 1, 3, 4), W[:2, :2].reshape(1, 1, 2, 2)).pow(2).sum(), 'maxPool': lambda a: F.max_pool2d(a.reshape(1, 1, 3, 4), 2).pow(3).sum(), 'avgPool': lambda a: F.avg_pool2d(a.reshape(1, 1, 3, 4), 2).pow(3).sum(),
  'mse': lambda a: F.mse_loss(a, W[:3]), 'bce': lambda a: F.binary_cross_entropy_with_logits(a, a.detach().sigmoid()),
  'linear': lambda a: F.linear(a, W, W[0]).pow(2).sum(), 'dropoutEval': lambda a: F.dropout(a, 0.5, False).pow(3).sum(),
  'embeddingLike': lambda a: a.index_select(0, torch.tensor([1, 1, 2])).pow(3).sum(), 'clamp': lambda a: a.clamp(-0.5, 0.5).pow(3).sum(),
  'padNeg': lambda a: F.pad(a, [-1, 2, 1, -1]).pow(3).sum(), 'pad2': lambda a: F.pad(a, [1, 1, 2, 0], value=0.5).pow(3).sum(), 'abs': lambda a: a.abs().pow(3).sum(), 'expSum': lambda a: a.exp().sum(), 'pad': lambda a: F.pad(a, [1, 1]).pow(3).sum(),
}
out = {}
for k, f in cases.items():
    a = A.clone().requires_grad_()
    g, = torch.autograd.grad(f(a), a, create_graph=True)
    gg = torch.autograd.grad((g * g).sum(), a, allow_unused=True)[0] if g.requires_grad else None
    out[k] = (gg if gg is not None else torch.zeros_like(a)).tolist()
print(json.dumps({'A': A.tolist(), 'W': W.tolist(), 'cases': out}))
