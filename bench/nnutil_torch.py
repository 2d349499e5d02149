# nnutil_torch.py - PyTorch's side of bench/nnutil.js: single-thread CPU milliseconds per call on the same shapes
# (time.process_time).  Usage: python3 nnutil_torch.py CALLS LENGTHS_JSON
import json, sys, time
import torch
import torch.nn as nn
from torch.nn.utils import rnn as R
torch.set_num_threads(1)
calls = int(sys.argv[1])
lengths = json.loads(sys.argv[2])
B, Lmax, IN, HID = 16, 50, 32, 64
torch.manual_seed(0)
lstm = nn.LSTM(IN, HID, num_layers=2, bidirectional=True)
x = torch.randn(Lmax, B, IN, requires_grad=True)
E = 128
tr = nn.Transformer(E, 8, 2, 2, 512, 0.0)
src, tgt = torch.randn(32, 8, E, requires_grad=True), torch.randn(24, 8, E, requires_grad=True)
mask = nn.Transformer.generate_square_subsequent_mask(24)
w = torch.empty(512, 512)


def packed():
    out, _ = lstm(R.pack_padded_sequence(x, lengths, enforce_sorted=False))
    R.pad_packed_sequence(out)[0].sum().backward()


OPS = {
    'LSTM 2 layers bidirectional, packed (16 seqs of 8..50), forward + backward': packed,
    'the same LSTM on the padded [50, 16, 32] batch, forward + backward': lambda: lstm(x)[0].sum().backward(),
    'Transformer (2+2 layers, d_model 128) forward + backward': lambda: tr(src, tgt, tgt_mask=mask).sum().backward(),
    'init.orthogonal_ (512 x 512)': lambda: nn.init.orthogonal_(w),
}
out = {}
for name, f in OPS.items():
    f()
    c0 = time.process_time()
    for _ in range(calls):
        f()
    out[name] = (time.process_time() - c0) / calls * 1e3
print(json.dumps(out))
