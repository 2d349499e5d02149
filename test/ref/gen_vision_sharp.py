# gen_vision_sharp.py - photo-like JPEG and PNG fixtures for test/vision_sharp.test.ts, encoded and decoded by PIL
# (Debian's python3-pil over libjpeg62-turbo), the decoder a PyTorch data pipeline uses (torchvision's default loader).
# Each image is smooth gradients + soft blobs + hard edges + sensor-like noise, at odd sizes so that 4:2:0 chroma has
# a half block at the right and bottom edges. For every fixture we keep the encoded file and PIL's decoded pixels as a
# PNG (lossless; the test reads it with pngjs, so the reference does not go through the decoder under test).
# Run: /usr/bin/python3 test/ref/gen_vision_sharp.py   (writes test/ref/vision_sharp/ and test/ref/vision_sharp.json)
# As a module, photo(w, h, seed) is also used by bench/decode_pil.py to make the benchmark folder.
import hashlib, io, json, os, sys
import numpy as np
from PIL import Image

def photo(w, h, seed, grey=False):
    """uint8 [h, w, 3] (or [h, w]) photo-like image: gradients, blobs, a sharp-edged shape, noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    u, v = x / max(w - 1, 1), y / max(h - 1, 1)
    img = np.zeros((h, w, 3))
    for c in range(3):
        a, b, ph = rng.uniform(0.5, 3.0), rng.uniform(0.5, 3.0), rng.uniform(0, 6.3)
        img[..., c] = 110 + 60 * np.sin(a * 3.1 * u + ph) * np.cos(b * 2.3 * v - ph) + 40 * (u - v) * (c - 1)
    for _ in range(4):  # soft blobs of colour
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.08, 0.3) * max(w, h)
        col = rng.uniform(-90, 90, 3)
        img += np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r))[..., None] * col
    # hard edges: a rectangle and a disc of flat colour, and a thin dark line
    x0, y0 = int(rng.integers(0, w // 2)), int(rng.integers(0, h // 2))
    img[y0:y0 + h // 3, x0:x0 + w // 3] = rng.uniform(20, 235, 3)
    cx, cy, r = rng.uniform(w * 0.3, w * 0.7), rng.uniform(h * 0.3, h * 0.7), min(w, h) * 0.18
    img[(x - cx) ** 2 + (y - cy) ** 2 < r * r] = rng.uniform(20, 235, 3)
    img[np.abs((y - h * 0.8) - 0.3 * (x - w * 0.2)) < 0.8] *= 0.3
    # texture: blurred noise (foliage, fabric), stronger in the lower half
    t = rng.normal(0, 1, (h + 4, w + 4, 3))
    t = sum(t[dy:dy + h, dx:dx + w] for dy in range(5) for dx in range(5)) / 5.0
    img += t * 18 * (0.3 + v[..., None])
    img += rng.normal(0, 4.0, img.shape)  # sensor noise
    img = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    if grey:
        return np.asarray(Image.fromarray(img, 'RGB').convert('L'))
    return img

# name, size, grey?, PIL save options
JPEGS = [
    ('q75_420.jpg', (97, 71), False, dict(quality=75, subsampling=2)),
    ('q95_420.jpg', (97, 71), False, dict(quality=95, subsampling=2)),
    ('q75_444.jpg', (83, 61), False, dict(quality=75, subsampling=0)),
    ('q95_444.jpg', (83, 61), False, dict(quality=95, subsampling=0)),
    ('q85_422.jpg', (75, 53), False, dict(quality=85, subsampling=1)),
    ('q85_420_progressive.jpg', (75, 53), False, dict(quality=85, subsampling=2, progressive=True)),
    ('q75_grey.jpg', (89, 67), True, dict(quality=75)),
    ('q95_grey.jpg', (89, 67), True, dict(quality=95)),
]

def png16(v):
    """A 16-bit PNG (colour type 4 grey + alpha, 2 RGB, 6 RGBA) of uint16 [h, w, c], filter 0 on every row."""
    import struct, zlib
    h, w, c = v.shape
    ct = {2: 4, 3: 2, 4: 6}[c]
    chunk = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    rows = b''.join(b'\0' + v[y].astype('>u2').tobytes() for y in range(h))
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 16, ct, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(rows, 9)) + chunk(b'IEND', b''))

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, 'vision_sharp')
    os.makedirs(out, exist_ok=True)
    entries = []
    for i, (name, (w, h), grey, kw) in enumerate(JPEGS):
        arr = photo(w, h, seed=1000 + i, grey=grey)
        buf = io.BytesIO()
        Image.fromarray(arr).save(buf, 'JPEG', **kw)
        data = buf.getvalue()
        dec = Image.open(io.BytesIO(data))
        dec.load()
        pixels = np.asarray(dec)
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)
        ref = name.rsplit('.', 1)[0] + '.pil.png'
        Image.fromarray(pixels).save(os.path.join(out, ref), optimize=True)
        entries.append({'file': name, 'pil': ref, 'mode': dec.mode, 'width': w, 'height': h,
                        'options': kw, 'sha256': hashlib.sha256(pixels.tobytes()).hexdigest()})
    # PNGs of every colour type PIL writes (8-bit): what a lossless decoder must return exactly
    rgb = photo(37, 29, seed=7)
    alpha = np.asarray(Image.fromarray(photo(37, 29, seed=8, grey=True)))
    pngs = [
        ('grey.png', Image.fromarray(rgb).convert('L')),
        ('grey_alpha.png', Image.merge('LA', [Image.fromarray(rgb).convert('L'), Image.fromarray(alpha)])),
        ('rgb.png', Image.fromarray(rgb)),
        ('rgba.png', Image.merge('RGBA', [*Image.fromarray(rgb).split(), Image.fromarray(alpha)])),
        ('palette.png', Image.fromarray(rgb).quantize(64)),
        # palette with a transparent entry (tRNS): torchvision ignores the transparency and returns RGB
        ('palette_trns.png', Image.fromarray(rgb).quantize(64), dict(transparency=0)),
        # 1-bit grey: libpng scales 0/1 to 0/255
        ('bilevel.png', Image.fromarray(rgb).convert('L').point(lambda v: 255 if v > 110 else 0).convert('1')),
    ]
    for name, im, *kw in pngs:
        buf = io.BytesIO()
        im.save(buf, 'PNG', **(kw[0] if kw else {}))
        data = buf.getvalue()
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)
        dec = Image.open(io.BytesIO(data))
        dec.load()
        if dec.mode == 'P':
            dec = dec.convert('RGB')  # torchvision reads palette PNGs as RGB
        if dec.mode == '1':
            dec = dec.convert('L')  # 0 / 255, as libpng expands 1-bit grey
        pixels = np.asarray(dec)
        entries.append({'file': name, 'mode': dec.mode, 'width': im.width, 'height': im.height,
                        'sha256': hashlib.sha256(pixels.tobytes()).hexdigest()})
    # 16-bit PNGs: nodetorch returns 8 bits, round(v * 255 / 65535) (as pngjs). PIL reads only 16-bit grey (as 32-bit
    # 'I'), so the others are written here by png16() and the grey one is checked against PIL.
    for name, c in [('grey16.png', 1), ('grey_alpha16.png', 2), ('rgb16.png', 3), ('rgba16.png', 4)]:
        w, h = 37, 29
        v = ((np.arange(w * h * c).reshape(h, w, c) * 1237 + 11 + 977 * np.arange(c)) % 65536).astype(np.uint16)
        if c == 1:
            Image.fromarray(v[..., 0], 'I;16').save(os.path.join(out, name))
            dec = np.asarray(Image.open(os.path.join(out, name))).astype(np.int64)
            assert (dec == v[..., 0]).all()
        else:
            with open(os.path.join(out, name), 'wb') as f:
                f.write(png16(v))
        pixels = np.floor(v.astype(np.int64) * 255 / 65535 + 0.5).astype(np.uint8)
        entries.append({'file': name, 'mode': f'{c} channels, 16 bits -> 8', 'width': w, 'height': h,
                        'sha256': hashlib.sha256(pixels.tobytes()).hexdigest()})
    # encoding: source pixels (lossless PNG) and what PIL decodes from PIL's own JPEG of them (default 4:2:0 chroma,
    # as torchvision's encode_jpeg); encodeJpeg's file must decode to the same
    encode = []
    src_rgb, src_grey = photo(64, 48, seed=21), photo(57, 43, seed=22, grey=True)
    Image.fromarray(src_rgb).save(os.path.join(out, 'enc_src_rgb.png'))
    Image.fromarray(src_grey).save(os.path.join(out, 'enc_src_grey.png'))
    for src, sname, q in [(src_rgb, 'rgb', 75), (src_rgb, 'rgb', 95), (src_grey, 'grey', 85)]:
        buf = io.BytesIO()
        Image.fromarray(src).save(buf, 'JPEG', quality=q)
        dec = Image.open(io.BytesIO(buf.getvalue()))
        dec.load()
        ref = f'enc_{sname}_q{q}.pil.png'
        Image.fromarray(np.asarray(dec)).save(os.path.join(out, ref), optimize=True)
        encode.append({'source': f'enc_src_{sname}.png', 'quality': q, 'pil': ref, 'pil_bytes': len(buf.getvalue())})
    meta = {'pil': Image.__version__, 'libjpeg_turbo': True, 'note': 'sha256 of PIL-decoded pixels, HWC uint8',
            'files': entries, 'encode': encode}
    with open(os.path.join(here, 'vision_sharp.json'), 'w') as f:
        json.dump(meta, f, indent=1)
    total = sum(os.path.getsize(os.path.join(out, n)) for n in os.listdir(out))
    print(f'wrote {len(entries)} fixtures, {total} bytes', file=sys.stderr)

if __name__ == '__main__':
    main()
