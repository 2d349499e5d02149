# gen_vision.py - reference values from torchvision (Debian's python3-torchvision, 0.14 over PyTorch 1.13) for
# test/vision.test.ts: the deterministic transforms through their functional forms on fixed, formula-made images.
# Run: /usr/bin/python3 test/ref/gen_vision.py  (writes test/ref/vision.json)
import json, math, os
import torch
import torchvision
import torchvision.transforms.functional as F
from torchvision.transforms import InterpolationMode as IM
from torchvision.utils import make_grid

def enc(t):
    d = t.detach().reshape(-1).tolist()
    if t.is_floating_point():
        d = [float('%.8g' % v) for v in d]  # float32 needs no more digits; keeps the file small
    return {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'data': d}

# the same images are built by the test from these formulas
def img_f(c, h, w):  # float32 in [0, 1]
    return torch.tensor([[[((k * 37 + y * 11 + x * 7 + y * x) % 97) / 96.0 for x in range(w)] for y in range(h)] for k in range(c)], dtype=torch.float32)
def img_u(c, h, w):  # uint8
    return torch.tensor([[[(k * 53 + y * 29 + x * 13 + y * x) % 256 for x in range(w)] for y in range(h)] for k in range(c)], dtype=torch.uint8)

X = img_f(3, 17, 23)
U = img_u(3, 17, 23)
XB = torch.stack([img_f(3, 9, 12), img_f(3, 9, 12).flip(-1)])
G = img_f(1, 14, 10)

cases = []
def case(name, inp, expr, fn, tol='f'):
    out = fn()
    cases.append({'name': name, 'input': inp, 'expr': expr, 'expected': enc(out)})

BIL, NEA = IM.BILINEAR, IM.NEAREST
for nm, im in [('X', X), ('U', U), ('XB', XB), ('G', G)]:
    for size in [[9, 11], [30, 41], [8], [5, 40], [17, 23]]:
        for aa in [True, False]:
            case(f'resize_{nm}_{size}_aa{aa}', nm, f'resize {size} bilinear antialias={aa}', lambda: F.resize(im, size, BIL, antialias=aa))
        case(f'resize_{nm}_{size}_nearest', nm, f'resize {size} nearest', lambda: F.resize(im, size, NEA))
    case(f'resize_{nm}_2x_nearest', nm, 'resize 2x nearest', lambda: F.resize(im, [im.shape[-2] * 2, im.shape[-1] * 2], NEA))

case('normalize_X', 'X', 'normalize', lambda: F.normalize(X, [0.5, 0.4, 0.3], [0.2, 0.25, 0.3]))
case('normalize_XB', 'XB', 'normalize', lambda: F.normalize(XB, [0.5, 0.4, 0.3], [0.2, 0.25, 0.3]))
for nm, im in [('X', X), ('U', U)]:
    for cs in [[10, 10], [16, 22], [20, 30], [5, 8], [17, 23]]:
        case(f'center_crop_{nm}_{cs}', nm, f'center_crop {cs}', lambda: F.center_crop(im, cs))
case('to_tensor_U', 'U', 'to_tensor(HWC numpy)', lambda: F.to_tensor(U.permute(1, 2, 0).numpy()))
case('convert_U_float', 'U', 'convert_image_dtype float32', lambda: F.convert_image_dtype(U, torch.float32))
case('convert_X_uint8', 'X', 'convert_image_dtype uint8', lambda: F.convert_image_dtype(X, torch.uint8))

for nm, im in [('X', X), ('U', U), ('XB', XB)]:
    for ang in [30, 90, -17.5, 45]:
        for mode in [NEA, BIL]:
            m = mode.value
            case(f'rotate_{nm}_{ang}_{m}', nm, f'rotate {ang} {m}', lambda: F.rotate(im, ang, mode))
            case(f'rotate_{nm}_{ang}_{m}_expand', nm, f'rotate {ang} {m} expand', lambda: F.rotate(im, ang, mode, expand=True))
            case(f'rotate_{nm}_{ang}_{m}_center_fill', nm, f'rotate {ang} {m} center [3, 5] fill', lambda: F.rotate(im, ang, mode, center=[3, 5], fill=[0.1, 0.2, 0.3] if im.dtype != torch.uint8 else [10.0, 200.0, 90.0]))
    case(f'affine_{nm}', nm, 'affine 20 [2,-1] 1.1 [5,3] bilinear', lambda: F.affine(im, 20.0, [2, -1], 1.1, [5.0, 3.0], BIL))
    case(f'affine_{nm}_nearest', nm, 'affine -12 [0,3] 0.9 [0,0] nearest', lambda: F.affine(im, -12.0, [0, 3], 0.9, [0.0, 0.0], NEA))

for nm, im in [('X', X), ('U', U), ('XB', XB)]:
    for f in [0.0, 0.6, 1.3]:
        case(f'brightness_{nm}_{f}', nm, f'adjust_brightness {f}', lambda: F.adjust_brightness(im, f))
        case(f'contrast_{nm}_{f}', nm, f'adjust_contrast {f}', lambda: F.adjust_contrast(im, f))
        case(f'saturation_{nm}_{f}', nm, f'adjust_saturation {f}', lambda: F.adjust_saturation(im, f))
    for hf in [0.15, -0.3, 0.5, 0.0]:
        case(f'hue_{nm}_{hf}', nm, f'adjust_hue {hf}', lambda: F.adjust_hue(im, hf))
    case(f'gray_{nm}', nm, 'rgb_to_grayscale', lambda: F.rgb_to_grayscale(im))
    case(f'gray3_{nm}', nm, 'rgb_to_grayscale 3', lambda: F.rgb_to_grayscale(im, 3))
case('contrast_G', 'G', 'adjust_contrast 0.6', lambda: F.adjust_contrast(G, 0.6))

for nm, im in [('X', X), ('U', U)]:
    for mode in ['constant', 'edge', 'reflect', 'symmetric']:
        case(f'pad_{nm}_{mode}', nm, f'pad [2, 3, 1, 4] {mode}', lambda: F.pad(im, [2, 3, 1, 4], fill=5 if mode == 'constant' else 0, padding_mode=mode))
    case(f'pad_{nm}_2', nm, 'pad [3, 1] reflect', lambda: F.pad(im, [3, 1], padding_mode='reflect'))
    case(f'resized_crop_{nm}', nm, 'resized_crop 2 3 10 15 -> [8, 9]', lambda: F.resized_crop(im, 2, 3, 10, 15, [8, 9], BIL, antialias=True))
    case(f'crop_out_{nm}', nm, 'crop -2 -3 10 30', lambda: F.crop(im, -2, -3, 10, 30))

grid_in = torch.stack([img_f(3, 5, 6) * (k + 1) - k * 0.3 for k in range(5)])
case('grid_plain', 'GRID', 'make_grid nrow=3 padding=1', lambda: make_grid(grid_in, nrow=3, padding=1, pad_value=0.5))
case('grid_norm', 'GRID', 'make_grid normalize', lambda: make_grid(grid_in, nrow=2, normalize=True))
case('grid_norm_each', 'GRID', 'make_grid normalize scale_each range', lambda: make_grid(grid_in, nrow=4, padding=3, normalize=True, scale_each=True))
case('grid_range', 'GRID', 'make_grid value_range', lambda: make_grid(grid_in, normalize=True, value_range=(0.2, 0.9)))
case('grid_gray', 'GRIDG', 'make_grid of 1-channel images', lambda: make_grid(grid_in[:, :1], nrow=5))

# encoded files made by PIL, with what torchvision.io decodes from them
import base64, io as pyio
from PIL import Image
import torchvision.io as tio
def pil_bytes(im, fmt, **kw):
    b = pyio.BytesIO(); im.save(b, fmt, **kw); return b.getvalue()
def decoded(b, mode=tio.ImageReadMode.UNCHANGED):
    return enc(tio.decode_image(torch.frombuffer(bytearray(b), dtype=torch.uint8), mode))
files = []
gray = Image.new('L', (12, 9)); gray.putdata([(x * 37 + (x // 12) * 11) % 256 for x in range(108)])
rgb = Image.fromarray(img_u(3, 10, 14).permute(1, 2, 0).numpy())
# JPEG's chroma subsampling makes decoders differ on high-frequency colour, so the JPEG test image is smooth
smooth = Image.new('RGB', (16, 12)); smooth.putdata([(x * 15, y * 20, (x + y) * 9) for y in range(12) for x in range(16)])
la = Image.new('LA', (5, 4)); la.putdata([((x * 50) % 256, (x * 13) % 256) for x in range(20)])
pal = Image.new('P', (4, 3)); pal.putpalette([(i * 7) % 256 for i in range(768)]); pal.putdata(list(range(12)))
for name, im, fmt, kw, mode in [('gray.jpg', gray, 'JPEG', {'quality': 95}, 'UNCHANGED'), ('rgb.jpg', smooth, 'JPEG', {'quality': 90, 'subsampling': 0}, 'UNCHANGED'),
                                ('la.png', la, 'PNG', {}, 'UNCHANGED'), ('gray.png', gray, 'PNG', {}, 'UNCHANGED'), ('rgb.png', rgb, 'PNG', {}, 'UNCHANGED'),
                                ('palette.png', pal, 'PNG', {}, 'RGB'), ('rgb_as_gray.png', rgb, 'PNG', {}, 'GRAY')]:
    b = pil_bytes(im, fmt, **kw)
    files.append({'name': name, 'mode': mode, 'b64': base64.b64encode(b).decode(), 'expected': decoded(b, getattr(tio.ImageReadMode, mode))})

out = {'torch': torch.__version__, 'torchvision': torchvision.__version__, 'cases': cases, 'files': files}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'vision.json'), 'w') as f:
    json.dump(out, f, separators=(',', ':'))
print(len(cases), 'cases')
