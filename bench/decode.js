#!/usr/bin/env node
// decode.js - JPEG decoding throughput of nodetorch/vision over a folder of photo-like JPEGs (made by PIL through
// bench/decode_pil.py), images/s as the median of 3 runs, for:
//   js            io.readImage with the pure-JS codec (jpeg-js; what nodetorch used before sharp)
//   sharp         io.readImage through sharp (synchronous: a helper thread, see lib/vision/sharp.ts)
//   sharp async   io.readImageAsync, `--concurrency` reads in flight (libuv's threads decode in parallel)
//   PIL           Image.open(f).convert('RGB') -> numpy, in python3 (torchvision ImageFolder's default loader)
// Every run reads each file from disk (warm page cache) and returns a uint8 [3, H, W] tensor. A report, never an
// assertion; it also prints how far the JS codec's pixels are from sharp's (which are PIL's).
//   node bench/decode.js [--n 200] [--width 480] [--height 360] [--quality 90] [--concurrency 4] [--python /usr/bin/python3]
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const vision = require('../dist/vision/index.js');

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
const n = Number(opt('n', 200)), width = Number(opt('width', 480)), height = Number(opt('height', 360));
const quality = Number(opt('quality', 90)), concurrency = Number(opt('concurrency', 4));
const python = opt('python', fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const RUNS = 3;

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-bench-decode-'));
try {
  execFileSync(python, [path.join(__dirname, 'decode_pil.py'), 'make', dir, String(n), String(width), String(height), String(quality)], { stdio: 'inherit' });
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().map((f) => path.join(dir, f));
  const bytes = files.reduce((s, f) => s + fs.statSync(f).size, 0);
  console.log(require('./common').hostLine());
  console.log(`${files.length} JPEGs ${width}x${height}, quality ${quality}, 4:2:0, ${(bytes / files.length / 1024).toFixed(1)} KiB each; ${os.cpus().length} cores; ${vision.io.imageBackend().version ?? 'sharp not loaded'}`);
  for (const f of files) fs.readFileSync(f); // warm the page cache

  const results = [];
  const report = (name, times) => {
    const ips = files.length / median(times);
    results.push({ name, ips });
    console.log(`${name.padEnd(24)} ${ips.toFixed(1).padStart(8)} images/s   (runs: ${times.map((t) => t.toFixed(2)).join(', ')} s)`);
  };
  const timeSync = (fn) => {
    fn(files[0]); // warm-up (starts sharp's helper thread)
    const times = [];
    for (let r = 0; r < RUNS; r++) {
      const t0 = process.hrtime.bigint();
      for (const f of files) { const t = fn(f); if (t.shape[0] !== 3) throw new Error('not RGB'); t.dispose?.(); }
      times.push(Number(process.hrtime.bigint() - t0) / 1e9);
    }
    return times;
  };
  const timeAsync = async (fn, k) => {
    await fn(files[0]);
    const times = [];
    for (let r = 0; r < RUNS; r++) {
      const t0 = process.hrtime.bigint();
      let next = 0;
      const lane = async () => { while (next < files.length) { const t = await fn(files[next++]); t.dispose?.(); } };
      await Promise.all(Array.from({ length: k }, lane));
      times.push(Number(process.hrtime.bigint() - t0) / 1e9);
    }
    return times;
  };

  (async () => {
    const haveSharp = vision.io.imageBackend().backend === 'sharp';
    vision.io.setImageBackend('js');
    report('js (jpeg-js)', timeSync((f) => vision.io.readImage(f)));
    if (haveSharp) {
      vision.io.setImageBackend('sharp');
      report('sharp (sync)', timeSync((f) => vision.io.readImage(f)));
      report(`sharp async x${concurrency}`, await timeAsync((f) => vision.io.readImageAsync(f), concurrency));
      // how far the JS codec is from PIL's pixels (sharp's are PIL's: test/vision_sharp.test.ts)
      let max = 0, sum = 0, differ = 0, count = 0;
      for (const f of files.slice(0, 20)) {
        vision.io.setImageBackend('sharp');
        const a = vision.io.readImage(f).toTypedArray();
        vision.io.setImageBackend('js');
        const b = vision.io.readImage(f).toTypedArray();
        for (let i = 0; i < a.length; i++) { const d = Math.abs(a[i] - b[i]); if (d > max) max = d; sum += d; if (d) differ++; }
        count += a.length;
      }
      console.log(`jpeg-js vs PIL/sharp pixels (first 20 images): max ${max}, mean ${(sum / count).toFixed(2)}, ${(100 * differ / count).toFixed(1)}% differ`);
    } else console.log(`sharp: not measured (${vision.io.imageBackend().reason})`);
    try {
      const out = execFileSync(python, [path.join(__dirname, 'decode_pil.py'), 'decode', dir, String(RUNS)], { encoding: 'utf8' });
      const r = JSON.parse(out.trim().split('\n').pop());
      report('PIL (python3)', r.runs_s);
    } catch (e) { console.log(`PIL: not measured (${String(e.message).split('\n')[0]})`); }
  })().finally(() => fs.rmSync(dir, { recursive: true, force: true }));
} catch (e) {
  fs.rmSync(dir, { recursive: true, force: true });
  throw e;
}
