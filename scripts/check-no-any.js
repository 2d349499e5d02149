#!/usr/bin/env node
// check-no-any.js - no public declaration of the package is typed `any` (API.md, TypeScript: "No public value is
// typed `any`"). The shipped declarations are what package.json's `types`, `exports` (every `types` condition) and
// `typesVersions` point to, plus every declaration file those reach through imports, re-exports, `import('...')`
// types and `/// <reference path>`. Every `any` keyword in them is reported, with the declaration it belongs to:
// an unexported helper type counts too, since an exported declaration that uses it leaks it.
//
//   node scripts/check-no-any.js [--json] [--package DIR]
//     (default) emits lib/'s declarations (tsconfig.json, declaration only) into a temporary package folder beside
//               the real package.json, so what is checked is what `npm run build:ts` ships, never a stale dist/;
//     --package DIR  checks an already built package (DIR holds package.json and dist/, e.g. `--package .`).
// Exit status 0 when there is none. Run by test/types_no_any.test.ts (in `npm test` and `npm run test:types`).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const ts = require('typescript');

const root = path.join(__dirname, '..');

/** The declaration files package.json names: `types`/`typings`, each `types` condition of `exports` (nested
 *  conditions too) and each target of `typesVersions`. Paths relative to the package folder. */
function entryPoints(pkgJson) {
  const out = new Set();
  if (typeof pkgJson.types === 'string') out.add(pkgJson.types);
  if (typeof pkgJson.typings === 'string') out.add(pkgJson.typings);
  const walkExports = (e, underTypes) => {
    if (typeof e === 'string') { if (underTypes || /\.d\.[cm]?ts$/.test(e)) out.add(e); return; }
    if (Array.isArray(e)) { e.forEach((x) => walkExports(x, underTypes)); return; }
    if (e && typeof e === 'object') for (const [k, v] of Object.entries(e)) walkExports(v, underTypes || k === 'types');
  };
  walkExports(pkgJson.exports, false);
  for (const map of Object.values(pkgJson.typesVersions || {})) {
    for (const targets of Object.values(map || {})) for (const t of [].concat(targets)) if (typeof t === 'string' && !t.includes('*')) out.add(t);
  }
  return [...new Set([...out].map((p) => p.replace(/^\.\//, '')))];
}

/** A relative module specifier of `from` as a declaration file, or null. */
function resolveDecl(from, spec) {
  if (!spec.startsWith('.')) return null; // another package's (node:, @types/...) declarations are not ours
  const base = path.resolve(path.dirname(from), spec);
  const stem = base.replace(/\.(c|m)?js$/, '');
  for (const c of [`${stem}.d.ts`, `${stem}.d.mts`, `${stem}.d.cts`, path.join(base, 'index.d.ts'), base]) {
    if (/\.d\.[cm]?ts$/.test(c) && fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  }
  return null;
}

/** The name path of the declaration a node sits in (`Module.registerForwardHook`, `TransformFn`). */
function ownerOf(node) {
  const names = [];
  for (let n = node; n; n = n.parent) {
    if (n.name && (ts.isIdentifier(n.name) || ts.isStringLiteral(n.name) || ts.isPrivateIdentifier(n.name)) &&
        (ts.isClassDeclaration(n) || ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n) || ts.isFunctionDeclaration(n) ||
         ts.isMethodDeclaration(n) || ts.isMethodSignature(n) || ts.isPropertyDeclaration(n) || ts.isPropertySignature(n) ||
         ts.isVariableDeclaration(n) || ts.isModuleDeclaration(n) || ts.isEnumDeclaration(n) || ts.isGetAccessor(n) || ts.isSetAccessor(n))) {
      names.unshift(n.name.text);
    } else if (ts.isConstructorDeclaration(n)) names.unshift('constructor');
  }
  return names.join('.') || '(file)';
}

/** Scans the package in `pkgDir`: { entries, files (reached), hits: [{ file, line, col, owner, text }], missing }. */
function scanPackage(pkgDir) {
  const pkgJson = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  const entries = entryPoints(pkgJson);
  const missing = [];
  const queue = [];
  for (const e of entries) {
    const f = path.resolve(pkgDir, e);
    if (fs.existsSync(f)) queue.push(f); else missing.push(e);
  }
  const seen = new Set();
  const hits = [];
  while (queue.length) {
    const file = queue.shift();
    if (seen.has(file)) continue;
    seen.add(file);
    const text = fs.readFileSync(file, 'utf8');
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const follow = (spec) => { const r = resolveDecl(file, spec); if (r && !seen.has(r)) queue.push(r); };
    for (const ref of sf.referencedFiles) follow(ref.fileName.startsWith('.') ? ref.fileName : `./${ref.fileName}`);
    const visit = (node) => {
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) follow(node.moduleSpecifier.text);
      else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) follow(node.argument.literal.text);
      else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) follow(node.moduleReference.expression.text);
      else if (node.kind === ts.SyntaxKind.AnyKeyword) {
        const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
        hits.push({ file: path.relative(pkgDir, file), line: line + 1, col: character + 1, owner: ownerOf(node), text: text.split('\n')[line].trim() });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { entries, files: [...seen].map((f) => path.relative(pkgDir, f)).sort(), hits, missing };
}

/** Emits lib/'s declarations into `<dir>/dist` (as tsconfig.json would, declaration only) beside the package.json. */
function emitPackage(dir) {
  fs.copyFileSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
  const fmt = (d) => ts.flattenDiagnosticMessageText(d.messageText, '\n');
  const cfg = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {
    declaration: true, emitDeclarationOnly: true, outDir: path.join(dir, 'dist'), noEmit: false, sourceMap: false,
  }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(fmt(d)); } });
  const program = ts.createProgram({ rootNames: cfg.fileNames, options: cfg.options });
  const res = program.emit();
  return ts.getPreEmitDiagnostics(program).concat(res.diagnostics).map((d) => {
    const where = d.file ? `${path.relative(root, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : 'lib';
    return `${where}: error TS${d.code}: ${fmt(d)}`;
  });
}

function main() {
  const argv = process.argv.slice(2);
  let json = false, pkgDir = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--json') json = true;
    else if (argv[i] === '--package' && i + 1 < argv.length) pkgDir = path.resolve(argv[++i]);
    else throw new Error(`check-no-any: unknown argument ${argv[i]} (--json, --package DIR)`);
  }
  let tmp = null;
  let errors = [];
  if (!pkgDir) {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-no-any-'));
    pkgDir = tmp;
    errors = emitPackage(tmp);
  }
  try {
    const r = scanPackage(pkgDir);
    const report = { ...r, errors };
    if (json) process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
    else {
      console.log(`check-no-any: ${r.files.length} declaration files reached from ${r.entries.join(', ')}`);
      for (const m of r.missing) console.log(`missing entry point: ${m} (build the package first, or run without --package)`);
      for (const e of errors) console.log(e);
      for (const h of r.hits) console.log(`${h.file}:${h.line}:${h.col}: \`any\` in ${h.owner}: ${h.text}`);
      if (!r.hits.length && !r.missing.length && !errors.length) console.log('no `any` in the public declarations');
    }
    process.exitCode = r.hits.length || r.missing.length || errors.length ? 1 : 0;
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) main();
module.exports = { entryPoints, scanPackage, emitPackage };
