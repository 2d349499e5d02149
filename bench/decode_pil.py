# decode_pil.py - the PIL side of bench/decode.js, and the maker of its folder of JPEGs.
#   python3 bench/decode_pil.py make DIR N WIDTH HEIGHT QUALITY   writes N photo-like JPEGs (4:2:0, as PIL saves them)
#   python3 bench/decode_pil.py decode DIR RUNS                    decodes every *.jpg in DIR as a torchvision
#     ImageFolder's default loader does (Image.open(f).convert('RGB')) then to a numpy array, RUNS times; prints one
#     JSON line: seconds of each run, images/s of the median run.
# The images come from test/ref/gen_vision_sharp.py's photo() (gradients, blobs, edges, texture, noise).
import json, os, sys, time
import numpy as np
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'ref'))

def make(d, n, w, h, q):
    from gen_vision_sharp import photo
    os.makedirs(d, exist_ok=True)
    for i in range(n):
        Image.fromarray(photo(w, h, seed=5000 + i)).save(os.path.join(d, f'{i:04d}.jpg'), quality=q)

def decode(d, runs):
    files = sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith('.jpg'))
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for f in files:
            with open(f, 'rb') as fh:
                a = np.asarray(Image.open(fh).convert('RGB'))
            assert a.ndim == 3
        times.append(time.perf_counter() - t0)
    med = sorted(times)[len(times) // 2]
    print(json.dumps({'runs_s': times, 'images': len(files), 'images_per_s': len(files) / med}))

if __name__ == '__main__':
    if sys.argv[1] == 'make':
        make(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
    else:
        decode(sys.argv[2], int(sys.argv[3]))
