#!/usr/bin/env node
// check-types.js - type-checks, under `tsc --strict`, what a user copies from the documentation and the examples,
// against the declarations the package ships:
//   1. emits lib/'s declarations (tsconfig.json, declaration only) into a temporary package folder that holds the
//      real package.json, so that 'nodetorch' and 'nodetorch/vision' resolve as they do for a user (node10);
//   2. extracts every ```ts / ```js block of README.md and ../shared/API.md (a block preceded by a
//      `<!-- notype: reason -->` line is skipped, and listed with its reason) into one file each; ```js blocks stay
//      JavaScript, checked as `// @ts-check` files;
//   3. compiles the blocks, examples/*.js (which start with `// @ts-check` and require '../dist/index.js') and the
//      type-level tests test/types/*.ts (assertions, and `@ts-expect-error` lines that must not compile) in ONE tsc
//      program (strict, checkJs), and reports each error at its README/API.md/example/test line.
// Snippets are fragments: a name they use without defining it (`loss`, `model`, `loader`, `F`, ...) is declared
// before the block from the CONTEXT table below, and only when the block does not define it itself; a name missing
// from the table is an error, as it would be for a user.
//
//   node scripts/check-types.js [--json] [--keep] [--doc more.md ...]      exit status 0 when everything compiles
// Run by test/snippets.test.ts. API.md lives outside the repository (../shared); when it is absent the script says so
// on stderr (and in --json's `skipped`) and checks the rest.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const ts = require('typescript');

const root = path.join(__dirname, '..');

// name -> { type, deps } or { ts, js, deps }: what an undefined name in a snippet stands for (types are written as
// `import('nodetorch')...` so that the same text serves TypeScript and JSDoc).
const T = "import('nodetorch').Tensor";
const CONTEXT = {
  torch: { ts: "import * as torch from 'nodetorch';", js: "const torch = require('nodetorch');" },
  nn: { ts: 'const nn = torch.nn;', js: 'const nn = torch.nn;', deps: ['torch'] },
  F: { ts: 'const F = torch.nn.functional;', js: 'const F = torch.nn.functional;', deps: ['torch'] },
  optim: { ts: 'const optim = torch.optim;', js: 'const optim = torch.optim;', deps: ['torch'] },
  transforms: { ts: "import { transforms } from 'nodetorch/vision';", js: "const { transforms } = require('nodetorch/vision');" },
  datasets: { ts: "import { datasets } from 'nodetorch/vision';", js: "const { datasets } = require('nodetorch/vision');" },
  vision: { ts: "import * as vision from 'nodetorch/vision';", js: "const vision = require('nodetorch/vision');" },
  x: { type: T }, y: { type: T }, a: { type: T }, b: { type: T }, t: { type: T }, img: { type: T }, imgs: { type: T },
  input: { type: T }, target: { type: T }, loss: { type: T },
  step: { type: 'number' }, epochs: { type: 'number' }, epoch: { type: 'number' },
  // a model with a first Linear layer `fc1`, as the README's examples name it
  model: { type: "import('nodetorch').nn.Module & { fc1: import('nodetorch').nn.Linear, forward(x: import('nodetorch').Tensor): import('nodetorch').Tensor }" },
  Net: { type: "{ new (): import('nodetorch').nn.Module & { forward(x: import('nodetorch').Tensor): import('nodetorch').Tensor } }" },
  opt: { type: "import('nodetorch').optim.Optimizer" },
  optimizer: { type: "import('nodetorch').optim.Optimizer" },
  trainSet: { type: `import('nodetorch').utils.data.TensorDataset<[${T}, ${T}]>` },
  dataset: { type: `import('nodetorch').utils.data.TensorDataset<[${T}, ${T}]>` },
  loader: { type: `import('nodetorch').utils.data.DataLoader<[${T}, ${T}]>` },
};

// API.md states most call forms inline (`torch.flatten(x, { startDim: 1 })`) rather than in blocks: an inline span
// that is one complete call expression over known names (CONTEXT, JavaScript globals) is checked too, each in its own
// block of one file per document. Placeholders are skipped; KNOWN_GAPS are forms API.md promises that the library
// does not have yet: they must still fail (else the entry is stale and reported as an error).
const INLINE_GLOBALS = new Set(['Math', 'Number', 'String', 'Array', 'Object', 'JSON', 'console', 'undefined', 'Infinity', 'NaN', 'Symbol', 'Map']);
const PLACEHOLDERS = { 'torch.op(a, b)': 'a placeholder op name', 'a.op(b)': 'a placeholder op name' };
const KNOWN_GAPS = {};

/** The inline code spans of a Markdown file that are one complete call expression over known names. */
function inlineForms(file) {
  const text = fs.readFileSync(file, 'utf8');
  const out = [];
  let inFence = false;
  text.split('\n').forEach((lineText, i) => {
    if (/^\s*(`{3,}|~{3,})/.test(lineText)) { inFence = !inFence; return; }
    if (inFence) return;
    for (const m of lineText.matchAll(/`([^`]+)`/g)) {
      const code = m[1].trim();
      if (!code.includes('(')) continue;
      const sf = ts.createSourceFile('s.ts', `${code};`, ts.ScriptTarget.ES2022, true);
      if (sf.parseDiagnostics.length || sf.statements.length !== 1 || !ts.isExpressionStatement(sf.statements[0])) continue;
      const e = sf.statements[0].expression;
      // a method or namespace call (`t.std(...)`, `torch.flatten(...)`) or a `new`; a bare `toString()` is prose
      if (!(ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression)) && !ts.isNewExpression(e)) continue;
      const { used, defined } = namesOf(code, 'ts');
      if ([...used].some((n) => !defined.has(n) && !Object.hasOwn(CONTEXT, n) && !INLINE_GLOBALS.has(n))) continue;
      out.push({ line: i + 1, code });
    }
  });
  return out;
}

function parseArgs(argv) {
  const o = { json: false, keep: false, docs: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--json') o.json = true;
    else if (argv[i] === '--keep') o.keep = true;
    else if (argv[i] === '--doc' && i + 1 < argv.length) o.docs.push(path.resolve(argv[++i]));
    else throw new Error(`check-types: unknown argument ${argv[i]} (--json, --keep, --doc FILE.md)`);
  }
  return o;
}

/** The fenced ```ts / ```js blocks of a Markdown file: { file, line (of the block's first code line), lang, code, skip }. */
function extractBlocks(file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]);
    if (!open) continue;
    const fence = open[2];
    let end = i + 1;
    while (end < lines.length && !lines[end].trim().startsWith(fence)) end++;
    const lang = open[3].toLowerCase();
    const kind = lang === 'ts' || lang === 'typescript' ? 'ts' : lang === 'js' || lang === 'javascript' ? 'js' : null;
    if (kind) {
      let p = i - 1;
      while (p >= 0 && lines[p].trim() === '') p--;
      const marker = p >= 0 ? /<!--\s*notype\s*:?\s*(.*?)\s*-->/.exec(lines[p]) : null;
      blocks.push({ file, line: i + 2, lang: kind, code: lines.slice(i + 1, end).join('\n'), skip: marker ? marker[1] || '(no reason given)' : null });
    }
    i = end;
  }
  return blocks;
}

/** Names a snippet uses and the names it defines (any binding anywhere in it), from its syntax tree. */
function namesOf(code, lang) {
  const sf = ts.createSourceFile(`s.${lang}`, code, ts.ScriptTarget.ES2022, true, lang === 'js' ? ts.ScriptKind.JS : ts.ScriptKind.TS);
  const used = new Set();
  const defined = new Set();
  const bind = (name) => {
    if (!name) return;
    if (ts.isIdentifier(name)) defined.add(name.text);
    else if (ts.isObjectBindingPattern(name) || ts.isArrayBindingPattern(name)) name.elements.forEach((e) => { if (ts.isBindingElement(e)) bind(e.name); });
  };
  const visit = (node) => {
    if (ts.isVariableDeclaration(node) || ts.isParameter(node) || ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) ||
        ts.isImportEqualsDeclaration(node) || ts.isNamespaceImport(node) || ts.isImportSpecifier(node) || ts.isImportClause(node)) bind(node.name);
    if (ts.isIdentifier(node)) {
      const p = node.parent;
      const member = p && ((ts.isPropertyAccessExpression(p) && p.name === node) || (ts.isPropertyAssignment(p) && p.name === node) ||
        (ts.isQualifiedName(p) && p.right === node) || (ts.isPropertySignature(p) && p.name === node) || (ts.isMethodDeclaration(p) && p.name === node) ||
        (ts.isPropertyDeclaration(p) && p.name === node) || (ts.isBindingElement(p) && p.propertyName === node));
      if (!member) used.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { used, defined };
}

/** The lines declaring a snippet's free names (in dependency order). */
function preludeFor(code, lang) {
  const { used, defined } = namesOf(code, lang);
  const out = [];
  const done = new Set();
  const add = (name) => {
    if (done.has(name) || defined.has(name)) return;
    done.add(name);
    const c = CONTEXT[name];
    for (const d of c.deps || []) add(d);
    if (c.type) {
      out.push(lang === 'ts' ? `declare const ${name}: ${c.type};` : `const ${name} = /** @type {${c.type}} */ (/** @type {unknown} */ (undefined));`);
    } else out.push(c[lang]);
  };
  for (const name of Object.keys(CONTEXT)) if (used.has(name)) add(name);  // (own keys only)
  return out;
}

function copyDir(src, dst, filter) {
  fs.mkdirSync(dst, { recursive: true });
  for (const e of fs.readdirSync(src, { withFileTypes: true })) {
    if (e.isDirectory()) copyDir(path.join(src, e.name), path.join(dst, e.name), filter);
    else if (!filter || filter(e.name)) fs.copyFileSync(path.join(src, e.name), path.join(dst, e.name));
  }
}

const fmt = (d) => ts.flattenDiagnosticMessageText(d.messageText, '\n');

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const report = { docs: [], snippets: [], inline: [], gaps: [], skipped: [], examples: [], typeTests: [], errors: [] };
  const gapFiles = new Map(); // file -> { line -> form } for KNOWN_GAPS
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-check-types-'));
  try {
    // 1. the package as a user gets it: package.json + emitted declarations (+ the examples beside dist/)
    const pkg = path.join(tmp, 'pkg');
    fs.mkdirSync(pkg, { recursive: true });
    fs.copyFileSync(path.join(root, 'package.json'), path.join(pkg, 'package.json'));
    const cfg = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {
      declaration: true, emitDeclarationOnly: true, outDir: path.join(pkg, 'dist'), noEmit: false, sourceMap: false,
    }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(fmt(d)); } });
    const libProgram = ts.createProgram({ rootNames: cfg.fileNames, options: cfg.options });
    const emitted = libProgram.emit();
    const libDiags = ts.getPreEmitDiagnostics(libProgram).concat(emitted.diagnostics);
    for (const d of libDiags) {
      const where = d.file ? `${path.relative(root, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : 'lib';
      report.errors.push({ where, code: d.code, message: fmt(d) });
    }
    fs.mkdirSync(path.join(tmp, 'node_modules'), { recursive: true });
    fs.symlinkSync(pkg, path.join(tmp, 'node_modules', 'nodetorch'), 'dir');
    fs.symlinkSync(path.join(root, 'node_modules', '@types'), path.join(tmp, 'node_modules', '@types'), 'dir');

    // 2. the snippets, one file each, with the declarations of their free names first
    const sources = [path.join(root, 'README.md'), path.join(root, '..', 'shared', 'API.md'), ...opts.docs];
    const files = [];
    const origin = new Map(); // file -> { doc, line, offset }
    fs.mkdirSync(path.join(tmp, 'snippets'));
    for (const doc of sources) {
      if (!fs.existsSync(doc)) {
        report.skipped.push({ where: path.relative(root, doc), reason: 'file not found' });
        process.stderr.write(`check-types: ${doc} not found: its snippets are NOT checked\n`);
        continue;
      }
      const blocks = extractBlocks(doc);
      report.docs.push({ doc: path.relative(root, doc), blocks: blocks.length, skipped: blocks.filter((b) => b.skip).length });
      for (const b of blocks) {
        const where = `${path.relative(root, doc)}:${b.line}`;
        if (b.skip) { report.skipped.push({ where, reason: b.skip }); continue; }
        const prelude = preludeFor(b.code, b.lang);
        const name = `${path.basename(doc, '.md')}_${report.docs.length}_${b.line}.${b.lang}`;
        const head = b.lang === 'js' ? ['// @ts-check', ...prelude] : prelude;
        const file = path.join(tmp, 'snippets', name);
        fs.writeFileSync(file, `${head.join('\n')}\n${b.code}\n`);
        files.push(file);
        origin.set(file, { doc: path.relative(root, doc), line: b.line, offset: head.length });
        report.snippets.push({ where, lang: b.lang, lines: b.code.split('\n').length, context: prelude.length });
      }
      if (path.basename(doc) === 'API.md' || opts.docs.includes(doc)) {
        const forms = [];
        for (const f of inlineForms(doc)) {
          const where = `${path.relative(root, doc)}:${f.line}`;
          if (PLACEHOLDERS[f.code]) { report.skipped.push({ where, reason: `\`${f.code}\`: ${PLACEHOLDERS[f.code]}` }); continue; }
          forms.push({ ...f, where });
        }
        if (forms.length) {
          // one line per form, each in its own block; the line map sends errors back to the form's own line
          const body = forms.map((f) => `{ ${f.code}; }`).join('\n');
          const prelude = preludeFor(body, 'ts');
          const file = path.join(tmp, 'snippets', `${path.basename(doc, '.md')}_${report.docs.length}_inline.ts`);
          fs.writeFileSync(file, `${prelude.join('\n')}\n${body}\n`);
          files.push(file);
          origin.set(file, { doc: path.relative(root, doc), lines: forms.map((f) => f.line), offset: prelude.length });
          const gaps = new Map();
          forms.forEach((f, k) => { if (KNOWN_GAPS[f.code]) gaps.set(k, f); else report.inline.push({ where: f.where, code: f.code }); });
          gapFiles.set(file, gaps);
        }
      }
      if (blocks.length === 0) process.stderr.write(`check-types: ${path.relative(root, doc)} has no \`\`\`ts/\`\`\`js blocks\n`);
    }
    copyDir(path.join(root, 'examples'), path.join(pkg, 'examples'), (n) => n.endsWith('.js'));
    for (const n of fs.readdirSync(path.join(pkg, 'examples')).filter((f) => f.endsWith('.js')).sort()) {
      const file = path.join(pkg, 'examples', n);
      const text = fs.readFileSync(file, 'utf8');
      // TypeScript's own reading of the pragma (a leading `// @ts-check` comment)
      const directive = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.JS).checkJsDirective;
      if (!directive || !directive.enabled) report.errors.push({ where: `examples/${n}:1`, code: 0, message: 'an example must have a leading // @ts-check comment' });
      files.push(file);
      origin.set(file, { doc: `examples/${n}`, line: 1, offset: 0 });
      report.examples.push(`examples/${n}`);
    }

    const typesDir = path.join(root, 'test', 'types');
    copyDir(typesDir, path.join(tmp, 'types'), (n) => n.endsWith('.ts'));
    for (const n of fs.readdirSync(typesDir).filter((f) => f.endsWith('.ts')).sort()) {
      const file = path.join(tmp, 'types', n);
      files.push(file);
      origin.set(file, { doc: `test/types/${n}`, line: 1, offset: 0 });
      report.typeTests.push(`test/types/${n}`);
    }

    // 3. one program for all of them
    const program = ts.createProgram({
      rootNames: files,
      options: {
        target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10,
        lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'], types: ['node'], typeRoots: [path.join(tmp, 'node_modules', '@types')],
        strict: true, noEmit: true, allowJs: true, checkJs: true, resolveJsonModule: true, esModuleInterop: true,
        skipLibCheck: true, moduleDetection: ts.ModuleDetectionKind.Force, noUnusedLocals: false,
      },
    });
    const gapHit = new Set();
    for (const d of ts.getPreEmitDiagnostics(program)) {
      let where = 'program';
      if (d.file) {
        const line = d.file.getLineAndCharacterOfPosition(d.start).line;
        const file = path.resolve(d.file.fileName);
        const o = origin.get(file) || origin.get(d.file.fileName);
        const gaps = gapFiles.get(file);
        if (gaps && gaps.has(line - (o ? o.offset : 0))) { gapHit.add(gaps.get(line - o.offset)); continue; }
        if (o && o.lines) where = line < o.offset ? o.doc : `${o.doc}:${o.lines[line - o.offset]}`;
        else where = o ? `${o.doc}:${o.line + line - o.offset}` : path.relative(tmp, d.file.fileName);
        if (o && line < o.offset) where += ' (in the declarations of its free names)';
      }
      report.errors.push({ where, code: d.code, message: fmt(d) });
    }
    for (const gaps of gapFiles.values()) {
      for (const f of gaps.values()) {
        report.gaps.push({ where: f.where, code: f.code, reason: KNOWN_GAPS[f.code], stillFails: gapHit.has(f) });
        if (!gapHit.has(f)) report.errors.push({ where: f.where, code: 0, message: `\`${f.code}\` compiles now: remove it from KNOWN_GAPS in scripts/check-types.js` });
      }
    }
  } finally {
    if (opts.keep) process.stderr.write(`check-types: kept ${tmp}\n`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
  else {
    console.log(`checked ${report.snippets.length} snippets (${report.snippets.map((s) => s.where).join(', ')}), ${report.examples.length} examples (${report.examples.join(', ')}) and ${report.typeTests.length} type tests`);
    console.log(`and ${report.inline.length} inline call forms of API.md`);
    for (const g of report.gaps) console.log(`known gap ${g.where}: \`${g.code}\` (${g.reason})${g.stillFails ? '' : ' COMPILES NOW'}`);
    for (const s of report.skipped) console.log(`skipped ${s.where}: ${s.reason}`);
    for (const e of report.errors) console.log(`${e.where}: error TS${e.code}: ${e.message}`);
  }
  process.exitCode = report.errors.length ? 1 : 0;
}

if (require.main === module) main();
module.exports = { extractBlocks, inlineForms, namesOf, preludeFor, CONTEXT, KNOWN_GAPS };
