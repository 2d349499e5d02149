#!/usr/bin/env node
// mnist.js - trains a small CNN on nodetorch's built-in MNIST digits (vision.datasets.MNISTSample: 8,000 train /
// 2,000 test, no download) and reports held-out accuracy, a confusion matrix, a checkpoint round trip and a PNG of
// the misclassified digits. Plain JavaScript over the compiled library (run `npm install` or `npm run build:ts`
// first), so it runs with no build step of its own:
//
//   node examples/mnist.js [--device cpu|cuda] [--epochs 6] [--batch-size 64] [--lr 0.01] [--seed 0] [--amp]
//                          [--train-size 8000] [--test-size 2000] [--threads N] [--out DIR] [--quiet]
//                          [--tensorboard LOGDIR]
// --amp: mixed precision, torch.autocast (bfloat16 on the CPU; float16 on CUDA, with a torch.amp.GradScaler).
//
// The same seed gives the same run on the CPU (initialisation, shuffling and dropout-free training are all driven
// by torch.manualSeed and a seeded torch.Generator). Writes DIR/mnist_cnn.pt, DIR/misclassified.png and
// DIR/metrics.json (default DIR: mnist-out/ in the working directory). With --tensorboard LOGDIR it also logs, through
// torch.utils.tensorboard.SummaryWriter, the loss and learning rate per step, train and test accuracy per epoch,
// weight histograms, a grid of the misclassified test digits per epoch and the run's hparams
// (view with `tensorboard --logdir LOGDIR`).

// @ts-check (examples are type-checked under tsc --strict by test/snippets.test.ts: scripts/check-types.js)
'use strict';
const fs = require('fs');
const path = require('path');
const torch = require('../dist/index.js');
const vision = require('../dist/vision/index.js');

const { nn, optim } = torch;
const F = nn.functional;
/** @typedef {import('../dist/index.js').Tensor} Tensor @typedef {import('../dist/index.js').DeviceName} DeviceName */

// ---------------------------------------------------------------------------------------------------------------
// command line
// ---------------------------------------------------------------------------------------------------------------
/**
 * @typedef {{device: DeviceName, epochs: number, batchSize: number, lr: number, seed: number, trainSize: number,
 *   testSize: number, threads: number|null, out: string, quiet: boolean, tensorboard: string|null, amp: boolean,
 *   failAtEpoch?: number, fresh?: boolean}} Options
 * @typedef {(name: string, v: string|undefined, int: boolean) => number} NumArg
 * @typedef {{defaults?: Partial<Options>, flags?: Record<string, (o: Options, val: () => string|undefined, num: NumArg) => void>,
 *   zeroOk?: string[], refuse?: string[], helpFile?: string}} ArgsExtra
 */
/**
 * The command line of this example (and, with `extra`, of examples/mnist_ddp.js: more defaults, more flags as
 * `flag -> (o, val, num) => void`, flags it refuses, and the file whose header comment --help prints).
 * @param {string[]} argv
 * @param {ArgsExtra} [extra]
 * @returns {Options}
 */
function parseArgs(argv, extra = {}) {
  /** @type {Options} */
  const o = { device: 'cpu', epochs: 6, batchSize: 64, lr: 0.01, seed: 0, trainSize: 8000, testSize: 2000, threads: null, out: 'mnist-out', quiet: false, tensorboard: null, amp: false, ...(extra.defaults || {}) };
  /** @type {NumArg} */
  const num = (name, v, int) => {
    const x = Number(v);
    if (v === undefined || !Number.isFinite(x) || (int && !Number.isInteger(x)) || x <= 0 && name !== 'seed' && !(extra.zeroOk || []).includes(name)) throw new Error(`--${name} expects a ${int ? 'positive integer' : 'positive number'}, got ${v}`);
    return x;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? a.split(/=(.*)/s) : [a, undefined];
    const val = () => (inline !== undefined ? inline : argv[++i]);
    if ((extra.refuse || []).includes(flag)) throw new Error(`option ${flag} is not supported by this example`);
    if (extra.flags && extra.flags[flag]) { extra.flags[flag](o, val, num); continue; }
    switch (flag) {
      case '--device': o.device = /** @type {DeviceName} */ (val()); break;  // checked below
      case '--epochs': o.epochs = num('epochs', val(), true); break;
      case '--batch-size': o.batchSize = num('batch-size', val(), true); break;
      case '--lr': o.lr = num('lr', val(), false); break;
      case '--seed': o.seed = num('seed', val(), true); break;
      case '--train-size': o.trainSize = num('train-size', val(), true); break;
      case '--test-size': o.testSize = num('test-size', val(), true); break;
      case '--threads': o.threads = num('threads', val(), true); break;
      case '--out': o.out = val() ?? ''; break;
      case '--quiet': o.quiet = true; break;
      case '--tensorboard': o.tensorboard = val() ?? null; if (!o.tensorboard) throw new Error('--tensorboard expects a log directory'); break;
      case '--amp': o.amp = true; break;
      case '-h': case '--help':
        console.log(headerOf(extra.helpFile || __filename));
        process.exit(0);
        break;
      default: throw new Error(`unknown option ${a} (see --help)`);
    }
  }
  if (!/^(cpu|cuda(:\d+)?)$/.test(o.device)) throw new Error(`--device must be cpu or cuda, got ${o.device}`);
  if (o.device.startsWith('cuda') && !torch.cuda.isAvailable()) throw new Error(`--device ${o.device}: CUDA is not available (${JSON.stringify(torch.cuda.diagnose ? torch.cuda.diagnose() : 'no diagnosis')})`);
  o.trainSize = Math.min(o.trainSize, 8000);
  o.testSize = Math.min(o.testSize, 2000);
  return o;
}

/** The comment block at the top of a script, as help text. @param {string} file */
function headerOf(file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n').slice(1);
  const n = lines.findIndex((l) => !l.startsWith('//'));
  return lines.slice(0, n < 0 ? lines.length : n).map((l) => l.replace(/^\/\/ ?/, '')).join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// model and data
// ---------------------------------------------------------------------------------------------------------------
/** Two conv + ReLU + max-pool blocks, then two linear layers: 28x28 -> 14x14 -> 7x7 -> 10 logits. */
function makeModel() {
  return new nn.Sequential(
    new nn.Conv2d(1, 16, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(16, 32, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(32 * 7 * 7, 128), new nn.ReLU(), new nn.Linear(128, 10),
  );
}

const MEAN = 0.1307, STD = 0.3081; // MNIST's pixel statistics, as in PyTorch's MNIST example

/**
 * The first `n` digits of a split as a TensorDataset of normalised float images [n, 1, 28, 28] and int64 labels.
 * @param {boolean} train
 * @param {number} n
 */
function loadSplit(train, n) {
  const { data, targets } = vision.datasets.MNISTSample.load({ train });
  // the same arithmetic as transforms ToDtype(float32, {scale: true}) + Normalize, done once for the whole split
  const x = data.narrow(0, 0, n).unsqueeze(1).to('float32').div(255).sub(MEAN).div(STD);
  return { ds: new torch.utils.data.TensorDataset(x, targets.narrow(0, 0, n).clone()), raw: data.narrow(0, 0, n) };
}

// ---------------------------------------------------------------------------------------------------------------
// progress display: a live bar on a terminal, plain lines otherwise
// ---------------------------------------------------------------------------------------------------------------
class Progress {
  /** @param {number} total @param {string} label @param {{quiet: boolean}} opts */
  constructor(total, label, opts) {
    this.total = total; this.label = label; this.tty = !!process.stdout.isTTY && !opts.quiet; this.quiet = opts.quiet;
    this.t0 = Date.now(); this.last = 0; this.lines = 0;
  }
  /** @param {number} done @param {number} samples @param {number} loss @param {number} acc */
  update(done, samples, loss, acc) {
    const el = (Date.now() - this.t0) / 1000;
    const rate = samples / Math.max(el, 1e-9);
    const eta = done > 0 ? el / done * (this.total - done) : 0;
    const text = `loss ${loss.toFixed(4)}  acc ${(acc * 100).toFixed(2)}%  ${rate.toFixed(0)} samples/s  ETA ${eta.toFixed(0)}s`;
    if (this.tty) {
      const width = 28, filled = Math.round(width * done / this.total);
      process.stdout.write(`\r${this.label} [${'='.repeat(filled)}${filled < width ? '>' : ''}${' '.repeat(Math.max(width - filled - 1, 0))}] ${done}/${this.total}  ${text}\x1b[K`);
    } else if (!this.quiet && (Date.now() - this.last > 10000 || done === this.total) && done !== this.total) {
      console.log(`${this.label} ${done}/${this.total} batches  ${text}`);
      this.last = Date.now();
    }
  }
  /** @param {string} summary */
  finish(summary) {
    if (this.tty) process.stdout.write(`\r${this.label} ${summary}\x1b[K\n`);
    else if (!this.quiet) console.log(`${this.label} ${summary}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// train / evaluate
// ---------------------------------------------------------------------------------------------------------------
// --amp: the forward pass and the loss under torch.autocast (bfloat16 on the CPU, float16 on CUDA); on CUDA the loss
// is scaled by a GradScaler so that small float16 gradients do not flush to zero (a step with inf/NaN gradients is
// skipped and the scale backed off). bfloat16 has float32's exponent range, so the CPU needs no scaler.
/** @param {DeviceName} device @returns {'cuda' | 'cpu'} */
const devType = (device) => (device.startsWith('cuda') ? 'cuda' : 'cpu');
/** @template R @param {DeviceName} device @param {boolean} amp @param {() => R} fn @returns {R} */
const maybeAutocast = (device, amp, fn) => (amp ? torch.autocast(devType(device), fn) : fn());

/**
 * One epoch of training; returns its loss, accuracy and speed.
 * @param {import('../dist/index.js').nn.Module & { forward(x: Tensor): Tensor }} model
 * @param {import('../dist/index.js').utils.data.DataLoader<[Tensor, Tensor]>} loader
 * @param {import('../dist/index.js').optim.Optimizer} opt
 * @param {import('../dist/index.js').optim.lrScheduler.LRScheduler} sched
 * @param {DeviceName} device
 * @param {string} label
 * @param {Options} opts
 * @param {import('../dist/index.js').utils.tensorboard.SummaryWriter | null} tb
 * @param {number} firstStep
 * @param {import('../dist/index.js').amp.GradScaler | null} scaler
 */
function trainEpoch(model, loader, opt, sched, device, label, opts, tb, firstStep, scaler) {
  model.train();
  const bar = new Progress(loader.length, label, opts);
  let lossSum = 0, correct = 0, seen = 0, step = 0;
  const t0 = process.hrtime.bigint();
  for (const [xb, yb] of loader) {
    // tidy frees the step's intermediates at once (parameters, grads and optimizer state are kept)
    const [l, c] = torch.tidy(() => {
      const x = xb.to(device), y = yb.to(device);
      const [logits, loss] = maybeAutocast(device, opts.amp, () => {
        const out = model.call(x);
        return /** @type {const} */ ([out, F.crossEntropy(out, y)]);
      });
      opt.zeroGrad();
      if (scaler) {
        scaler.scale(loss).backward();
        scaler.step(opt);
        scaler.update();
      } else {
        loss.backward();
        opt.step();
      }
      sched.step();
      return /** @type {const} */ ([loss.item(), logits.argmax(1).eq(y).sum().item()]);
    });
    const n = xb.shape[0];
    if (tb) {
      tb.addScalar('train/loss', l, firstStep + step);
      tb.addScalar('train/lr', sched.getLastLr()[0], firstStep + step);
    }
    lossSum += l * n; correct += c; seen += n; step++;
    bar.update(step, seen, lossSum / seen, correct / seen);
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  bar.finish(`loss ${(lossSum / seen).toFixed(4)}  train acc ${(100 * correct / seen).toFixed(2)}%  ${secs.toFixed(1)}s  ${(seen / secs).toFixed(0)} samples/s  lr ${sched.getLastLr()[0].toExponential(2)}`);
  return { loss: lossSum / seen, acc: correct / seen, secs, samplesPerSec: seen / secs };
}

/**
 * The first 64 misclassified digits of an evaluation as one float image [3, H, W] (8 per row), or null.
 * @param {{preds: number[], labels: number[]}} ev
 * @param {Tensor} raw
 * @returns {{wrong: number[], shown?: number[], imgs?: Tensor, grid: Tensor | null}}
 */
function misclassifiedGrid(ev, raw) {
  const wrong = ev.preds.map((p, i) => /** @type {const} */ ([p, i])).filter(([p, i]) => p !== ev.labels[i]).map(([, i]) => i);
  if (!wrong.length) return { wrong, grid: null };
  const shown = wrong.slice(0, 64);
  const imgs = torch.stack(shown.map((i) => raw.select(0, i).unsqueeze(0)), 0).to('float32').div(255);
  return { wrong, shown, imgs, grid: vision.utils.makeGrid(imgs, { nrow: 8, padding: 2, padValue: 0.5 }) };
}

/**
 * Accuracy, predictions and the confusion matrix over a loader, in inference mode.
 * @param {import('../dist/index.js').nn.Module & { forward(x: Tensor): Tensor }} model
 * @param {import('../dist/index.js').utils.data.DataLoader<[Tensor, Tensor]>} loader
 * @param {DeviceName} device
 */
function evaluate(model, loader, device, amp = false) {
  model.eval();
  return torch.inferenceMode(() => {
    /** @type {number[]} */
    const preds = [];
    /** @type {number[]} */
    const labels = [];
    for (const [xb, yb] of loader) {
      torch.tidy(() => {
        const p = maybeAutocast(device, amp, () => model.call(xb.to(device))).argmax(1).cpu();
        preds.push(.../** @type {number[]} */ (p.tolist()));
        labels.push(.../** @type {number[]} */ (yb.tolist()));
      });
    }
    const confusion = Array.from({ length: 10 }, () => new Array(10).fill(0));
    let correct = 0;
    preds.forEach((p, i) => { confusion[labels[i]][p]++; if (p === labels[i]) correct++; });
    return { acc: correct / labels.length, correct, total: labels.length, preds, labels, confusion };
  });
}

/** The confusion matrix as text. @param {number[][]} m */
function formatConfusion(m) {
  const w = Math.max(4, ...m.flat().map((v) => String(v).length + 1));
  const pad = (/** @type {unknown} */ s) => String(s).padStart(w);
  const lines = ['true\\pred' + m.map((_, j) => pad(j)).join('')];
  m.forEach((row, i) => lines.push(`${String(i).padStart(9)}${row.map(pad).join('')}`));
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
function main() {
  let o;
  try { o = parseArgs(process.argv.slice(2)); } catch (e) { console.error(`mnist.js: ${e instanceof Error ? e.message : e}`); process.exit(2); }
  if (o.threads) torch.setNumThreads(o.threads);
  const log = (/** @type {unknown[]} */ ...a) => { if (!o.quiet) console.log(...a); };
  fs.mkdirSync(o.out, { recursive: true });
  torch.manualSeed(o.seed);
  if (torch.cuda.isAvailable() && torch.cuda.manualSeed) torch.cuda.manualSeed(o.seed);
  const device = o.device;

  const t0 = Date.now();
  const train = loadSplit(true, o.trainSize);
  const test = loadSplit(false, o.testSize);
  log(`nodetorch ${require('../package.json').version} | ${torch.config().simd} | ${torch.getNumThreads()} threads | device ${device}`);
  if (o.amp) log(`mixed precision: autocast to ${devType(device) === 'cuda' ? 'float16 with a GradScaler' : 'bfloat16'}`);
  log(`data: ${o.trainSize} training and ${o.testSize} test digits (vision.datasets.MNISTSample), loaded in ${Date.now() - t0} ms`);

  const model = makeModel().to(device);
  if (typeof torch.summary === 'function' && !o.quiet) torch.summary(model, [1, 1, 28, 28], { device });

  const gen = new torch.Generator().manualSeed(o.seed);
  const trainLoader = new torch.utils.data.DataLoader(train.ds, { batchSize: o.batchSize, shuffle: true, generator: gen });
  const testLoader = new torch.utils.data.DataLoader(test.ds, { batchSize: 500 });
  const opt = new optim.Adam(model.parameters(), { lr: o.lr });
  const sched = new optim.lrScheduler.OneCycleLR(opt, o.lr, { epochs: o.epochs, stepsPerEpoch: trainLoader.length });
  const scaler = o.amp && devType(device) === 'cuda' ? new torch.amp.GradScaler('cuda') : null;

  // TensorBoard: events are queued and written in the background, so logging every step costs the loop little
  const tb = o.tensorboard ? new torch.utils.tensorboard.SummaryWriter(o.tensorboard, { flushSecs: 10 }) : null;
  const epochs = [];
  const tTrain = Date.now();
  for (let e = 1; e <= o.epochs; e++) {
    const r = trainEpoch(model, trainLoader, opt, sched, device, `epoch ${e}/${o.epochs}`, o, tb, (e - 1) * trainLoader.length, scaler);
    const ev = evaluate(model, testLoader, device, o.amp);
    epochs.push({ epoch: e, ...r, testAcc: ev.acc });
    log(`          test acc ${(100 * ev.acc).toFixed(2)}% (${ev.correct}/${ev.total})`);
    if (tb) {
      const step = e * trainLoader.length;
      tb.addScalar('train/accuracy', r.acc, step);
      tb.addScalar('train/epoch_loss', r.loss, step);
      tb.addScalar('test/accuracy', ev.acc, step);
      tb.addScalars('accuracy', { train: r.acc, test: ev.acc }, step);
      torch.noGrad(() => { for (const [name, p] of model.namedParameters()) tb.addHistogram(`weights/${name}`, p, step); });
      const { wrong, grid } = misclassifiedGrid(ev, test.raw);
      if (grid) tb.addImage('test/misclassified', grid, step);
      tb.addText('test/misclassified', `epoch ${e}: ${wrong.length} of ${ev.total} test digits misclassified`, step);
    }
  }
  const trainSecs = (Date.now() - tTrain) / 1000;

  const final = evaluate(model, testLoader, device, o.amp);
  log(`\nconfusion matrix (rows: true digit, columns: predicted) on ${final.total} held-out digits:\n${formatConfusion(final.confusion)}`);

  // checkpoint round trip: a fresh model loaded from the file must predict exactly the same
  const ckpt = path.join(o.out, 'mnist_cnn.pt');
  torch.save(model.stateDict(), ckpt);
  const fresh = makeModel().to(device);
  fresh.loadStateDict(torch.load(ckpt, { mapLocation: device }));
  const again = evaluate(fresh, testLoader, device, o.amp);
  if (again.correct !== final.correct || again.preds.some((p, i) => p !== final.preds[i])) {
    throw new Error(`the reloaded model disagrees with the trained one: ${again.correct} vs ${final.correct} correct`);
  }
  log(`checkpoint: ${ckpt} (${(fs.statSync(ckpt).size / 1024).toFixed(0)} KiB), reloaded into a fresh model: same predictions, accuracy ${(100 * again.acc).toFixed(2)}%`);

  // the misclassified digits as a grid (first 64), with their predictions listed
  const { wrong, shown = [], imgs } = misclassifiedGrid(final, test.raw);
  const gridPath = path.join(o.out, 'misclassified.png');
  if (wrong.length && imgs) {
    vision.utils.saveImage(imgs, gridPath, { nrow: 8, padding: 2, padValue: 0.5 });
    log(`misclassified: ${wrong.length} digits, first ${shown.length} in ${gridPath} (row by row, true->predicted: ${shown.slice(0, 16).map((i) => `${final.labels[i]}->${final.preds[i]}`).join(' ')}${shown.length > 16 ? ' ...' : ''})`);
  } else log('misclassified: none');

  const metrics = {
    device, amp: o.amp, gradScale: scaler ? scaler.getScale() : null, seed: o.seed, epochs: o.epochs, batchSize: o.batchSize, lr: o.lr, trainSize: o.trainSize, testSize: o.testSize,
    threads: torch.getNumThreads(), trainSeconds: trainSecs, secondsPerEpoch: epochs.map((e) => e.secs), samplesPerSec: epochs.map((e) => e.samplesPerSec),
    trainLoss: epochs.map((e) => e.loss), testAccuracy: final.acc, testCorrect: final.correct, reloadedAccuracy: again.acc, misclassified: wrong.length,
    confusion: final.confusion, peakRssMB: process.resourceUsage().maxRSS / 1024,
  };
  fs.writeFileSync(path.join(o.out, 'metrics.json'), JSON.stringify(metrics, null, 2));
  if (tb) {
    tb.addHparams({ lr: o.lr, batchSize: o.batchSize, epochs: o.epochs, seed: o.seed, device },
      { 'hparam/test_accuracy': final.acc, 'hparam/train_loss': epochs[epochs.length - 1].loss }, { runName: 'hparams' });
    tb.close();
    log(`tensorboard: event files in ${o.tensorboard} (tensorboard --logdir ${o.tensorboard})`);
  }
  console.log(`test accuracy: ${(100 * final.acc).toFixed(2)}% (${final.correct}/${final.total}) after ${o.epochs} epoch${o.epochs > 1 ? 's' : ''}, training ${trainSecs.toFixed(1)}s`);
}

// examples/mnist_ddp.js reuses the model, the data and the evaluation
if (require.main === module) main();
module.exports = { parseArgs, makeModel, loadSplit, evaluate, formatConfusion };
