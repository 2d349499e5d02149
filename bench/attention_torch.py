# attention_torch.py - PyTorch's side of bench/attention.js: single-thread CPU milliseconds per call on the same shapes
# (time.process_time). PyTorch 1.13 has no scaled_dot_product_attention: the formula is written out (PyTorch 2.x's
# documented math path).  Usage: python3 attention_torch.py CALLS
import json, math, sys, time
import torch
import torch.nn.functional as F
torch.set_num_threads(1)
calls = int(sys.argv[1])
L, N, E, H = 64, 8, 128, 8
torch.manual_seed(0)
q = torch.randn(L, N, E)
inW, inB, outW, outB = torch.randn(3 * E, E) * 0.05, torch.zeros(3 * E), torch.randn(E, E) * 0.05, torch.zeros(E)
qh = torch.randn(N, H, L, E // H)
layer = torch.nn.TransformerEncoderLayer(E, H, 4 * E, 0.0)
xg = torch.randn(L, N, E, requires_grad=True)


def sdpa_causal(q, k, v):
    Lq, S = q.size(-2), k.size(-2)
    bias = torch.zeros(Lq, S).masked_fill_(torch.ones(Lq, S, dtype=torch.bool).tril().logical_not(), float('-inf'))
    return torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.size(-1)) + bias, dim=-1) @ v


def no_grad(f):
    def g():
        with torch.no_grad():
            f()
    return g


OPS = {
    'multi_head_attention_forward (self, weights averaged)': no_grad(lambda: F.multi_head_attention_forward(q, q, q, E, H, inW, inB, None, None, False, 0.0, outW, outB, False)),
    'scaled_dot_product_attention (causal, [8, 8, 64, 16])': no_grad(lambda: sdpa_causal(qh, qh, qh)),
    # (under no_grad in eval mode PyTorch 1.13 would take its fused fast path; layer is in training mode with dropout 0,
    # as nodetorch's: the same composite path)
    'TransformerEncoderLayer forward (no grad)': no_grad(lambda: layer(q)),
    'TransformerEncoderLayer forward + backward': lambda: layer(xg).sum().backward(),
}
out = {}
for name, f in OPS.items():
    for _ in range(3):
        f()
    c0 = time.process_time()
    for _ in range(calls):
        f()
    out[name] = (time.process_time() - c0) / calls * 1e3
print(json.dumps(out))
