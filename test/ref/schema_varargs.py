# schema_varargs.py - PyTorch 1.13's results for test/schema_varargs.test.ts (writes test/ref/schema_varargs.json):
# python3 test/ref/schema_varargs.py
import json, os, torch
x = torch.arange(6, dtype=torch.float32).reshape(2, 3)
cases = {
    'reshape_3_2': x.reshape(3, 2), 'reshape_m1': x.reshape(-1), 'permute_1_0': x.permute(1, 0),
    'expand_2_2_3': x.expand(2, 2, 3), 'repeat_2_1_2': x.repeat(2, 1, 2), 'tile_2': x.tile(2),
    'tile_2_1_2': torch.tile(x, (2, 1, 2)),
}
cases['view_int32'] = torch.tensor([1, -2, 0.5], dtype=torch.float32).view(torch.int32)
out = {k: {'shape': list(v.shape), 'data': v.contiguous().flatten().tolist()} for k, v in cases.items()}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'schema_varargs.json'), 'w') as f:
    json.dump(out, f)
    f.write('\n')
