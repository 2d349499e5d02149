# gen_transformer_encoder.py - references for nn.TransformerEncoder in test/nn.test.ts: a 2-layer encoder (norm
# after the stack) with every parameter perturbed so the layers differ, its state dict, outputs and input gradients.
# Run: /usr/bin/python3 test/ref/gen_transformer_encoder.py > test/ref/transformer_encoder.json
import json
import torch
from torch import nn

torch.manual_seed(7)
enc = lambda t: {'shape': list(t.shape), 'data': [None if v == float('-inf') else v for v in t.detach().flatten().tolist()]}  # -inf as null
out = {'cases': []}
for name, batch_first, norm_first, use_mask in [('post_norm_seq_first', False, False, True), ('pre_norm_batch_first', True, True, False)]:
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=12, dropout=0.0, batch_first=batch_first, norm_first=norm_first)
    m = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8), enable_nested_tensor=False)
    with torch.no_grad():
        for p in m.parameters(): p.add_(torch.randn_like(p) * 0.1)
    x = torch.randn(2, 5, 8) if batch_first else torch.randn(5, 2, 8)
    x.requires_grad_(True)
    mask = torch.triu(torch.full((5, 5), float('-inf')), 1) if use_mask else None
    kpm = torch.tensor([[False, False, False, True, True], [False, False, False, False, False]])
    y = m(x, mask=mask, src_key_padding_mask=kpm)
    w = torch.randn(y.shape)
    (y * w).sum().backward()
    out['cases'].append({'name': name, 'batchFirst': batch_first, 'normFirst': norm_first, 'mask': enc(mask) if mask is not None else None,
                         'kpm': kpm.flatten().tolist(), 'state': {k: enc(v) for k, v in m.state_dict().items()},
                         'x': enc(x), 'y': enc(y), 'w': enc(w), 'gx': enc(x.grad)})
print(json.dumps(out))
