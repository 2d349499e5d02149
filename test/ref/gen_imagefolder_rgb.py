# gen_imagefolder_rgb.py - small PNG and JPEG fixtures of every PIL mode an ImageFolder meets (grey, grey + alpha,
# RGB, RGBA, palette with and without tRNS, 1-bit; grey and RGB JPEG), all 7x5, and the pixels torchvision's default
# loader gives for each: Image.open(f).convert('RGB') (torchvision.datasets.folder.pil_loader), as uint8 [3, H, W].
# Run: /usr/bin/python3 test/ref/gen_imagefolder_rgb.py  (writes test/ref/imagefolder_rgb/ and imagefolder_rgb.json)
import json, os
import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'imagefolder_rgb')
os.makedirs(OUT, exist_ok=True)
W, H = 7, 5
rng = np.random.default_rng(11)

def rgb():
    y, x = np.mgrid[0:H, 0:W]
    img = np.stack([x * 36, y * 60, (x + y) * 20 + 10], -1) + rng.integers(0, 30, (H, W, 3))
    return np.clip(img, 0, 255).astype(np.uint8)

def alpha():
    a = rng.integers(0, 256, (H, W)).astype(np.uint8)
    a[0, :3] = 0  # fully transparent pixels keep their colour: convert('RGB') drops alpha, it does not composite
    a[1, :2] = 255
    return a

grey = rgb()[..., 0]
images = {
    'grey.png': Image.fromarray(grey, 'L'),
    'grey_alpha.png': Image.fromarray(np.stack([grey, alpha()], -1), 'LA'),
    'rgb.png': Image.fromarray(rgb(), 'RGB'),
    'rgba.png': Image.fromarray(np.concatenate([rgb(), alpha()[..., None]], -1), 'RGBA'),
    'bilevel.png': Image.fromarray(rgb()[..., 1] > 128).convert('1'),
}
pal = Image.fromarray(rgb(), 'RGB').quantize(colors=6)
images['palette.png'] = pal
saves = {k: {} for k in images}
pal2 = Image.fromarray(rgb(), 'RGB').quantize(colors=5)
images['palette_trns.png'] = pal2
saves['palette_trns.png'] = dict(transparency=2)  # tRNS: one palette entry transparent (ignored by convert('RGB'))
images['grey.jpg'] = Image.fromarray(grey, 'L')
saves['grey.jpg'] = dict(quality=90)
images['rgb.jpg'] = Image.fromarray(rgb(), 'RGB')
saves['rgb.jpg'] = dict(quality=90, subsampling=2)

ref = {}
for name, im in images.items():
    p = os.path.join(OUT, name)
    im.save(p, **saves[name])
    with Image.open(p) as f:
        mode = f.mode
        px = np.asarray(f.convert('RGB'))  # torchvision's pil_loader
    ref[name] = {'pilMode': mode, 'shape': [3, H, W], 'data': px.transpose(2, 0, 1).reshape(-1).tolist()}

with open(os.path.join(HERE, 'imagefolder_rgb.json'), 'w') as f:
    json.dump(ref, f, separators=(',', ':'))
print({k: v['pilMode'] for k, v in ref.items()})
