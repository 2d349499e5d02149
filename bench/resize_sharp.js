#!/usr/bin/env node
// resize_sharp.js - would sharp's resize give torchvision's numbers? It compares sharp's resize (kernel 'linear',
// fit 'fill', no shrink-on-load; the nearest thing libvips has to an antialiased bilinear resize) with
// transforms.functional.resize (torchvision's antialiased bilinear, checked against torchvision in
// test/vision.test.ts) on uint8 photo-like images, and times both. nodetorch keeps its own resize unless sharp's
// pixels are within 1 level; this prints the evidence. A report, never an assertion.
//   node bench/resize_sharp.js
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const torch = require('../dist/index.js');
const vision = require('../dist/vision/index.js');
const F = vision.transforms.functional;

let sharp;
try { sharp = require('sharp'); } catch (e) { console.log(`sharp not available: ${e.message.split('\n')[0]}`); process.exit(0); }

const img = vision.io.readImage(path.join(__dirname, '..', 'test', 'ref', 'vision_sharp', 'enc_src_rgb.png')); // 64x48
// a 640x480 photo-like JPEG made by PIL (bench/decode_pil.py), else a smooth upsampled one
let big;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-bench-resize-'));
try {
  execFileSync(fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3', [path.join(__dirname, 'decode_pil.py'), 'make', dir, '1', '640', '480', '95']);
  big = vision.io.readImage(path.join(dir, '0000.jpg'));
} catch (e) {
  console.log(`python3 with PIL not available (${String(e.message).split('\n')[0]}): using a smooth 640x480 image`);
  big = F.resize(img, [480, 640], { antialias: true });
} finally { fs.rmSync(dir, { recursive: true, force: true }); }
const cases = [[big, [224, 224]], [big, [240, 320]], [big, [100, 133]], [big, [479, 641]], [img, [24, 32]], [img, [96, 128]], [img, [200, 300]]];

const hwc = (t) => Buffer.from(t.permute(1, 2, 0).contiguous().toTypedArray());
(async () => {
  console.log(require('./common').hostLine());
  console.log('source     -> size      | max  mean  differ | sharp ms  nodetorch ms');
  for (const [src, [h, w]] of cases) {
    const [, H, W] = src.shape;
    const input = hwc(src);
    let t0 = process.hrtime.bigint();
    const s = await sharp(input, { raw: { width: W, height: H, channels: 3 } }).resize(w, h, { kernel: 'linear', fit: 'fill', fastShrinkOnLoad: false }).raw().toBuffer();
    const ts = Number(process.hrtime.bigint() - t0) / 1e6;
    t0 = process.hrtime.bigint();
    const ref = hwc(F.resize(src, [h, w], { antialias: true }));
    const tn = Number(process.hrtime.bigint() - t0) / 1e6;
    let max = 0, sum = 0, differ = 0;
    for (let i = 0; i < ref.length; i++) { const d = Math.abs(s[i] - ref[i]); if (d > max) max = d; sum += d; if (d) differ++; }
    console.log(`${`${W}x${H}`.padEnd(10)} -> ${`${w}x${h}`.padEnd(9)} | ${String(max).padStart(3)} ${(sum / ref.length).toFixed(2).padStart(5)} ${(100 * differ / ref.length).toFixed(1).padStart(5)}% | ${ts.toFixed(1).padStart(8)} ${tn.toFixed(1).padStart(12)}`);
  }
  void torch;
})();
