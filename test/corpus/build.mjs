#!/usr/bin/env node
// Builds the differential-testing corpus with the real toolchains and (optionally) checks that every program
// behaves deterministically under qemu-aarch64. Importable: the tests in test/diff/ use listCorpus / buildCorpus /
// runQemu / runCli from here, so the command-line contract lives in one place (see test/diff/README.md).
//
//   node test/corpus/build.mjs [--check] [--runs N] [--jobs N] [--list] [--quiet] [FILTER...]
//
// FILTER substrings select entries by id (e.g. "c/arith", "@clang", "asm/"). Outputs go to test/.cache/corpus/
// (gitignored); an entry is rebuilt only when the hash of its command line, source, sibling headers/includes and
// tool versions changes. Exit status: 0 if everything selected built (and, with --check, ran deterministically),
// 1 otherwise.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CACHE = join(REPO, 'test', '.cache', 'corpus');
const MARCH = '-march=armv8.5-a+memtag';

/** Toolchain programs; each can be overridden with an environment variable of the same upper-case name. */
export const TOOLS = {
  gcc: process.env.TV_GCC ?? 'aarch64-linux-gnu-gcc',
  clang: process.env.TV_CLANG ?? 'clang-14',
  as: process.env.TV_AS ?? 'aarch64-linux-gnu-as',
  ld: process.env.TV_LD ?? 'aarch64-linux-gnu-ld',
  qemu: process.env.TV_QEMU ?? 'qemu-aarch64',
};

const versionCache = new Map();
/** First line of `tool --version`, or null when the tool cannot be run. */
export function toolVersion(tool) {
  if (!versionCache.has(tool)) {
    const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    versionCache.set(tool, r.error || r.status !== 0 ? null : (r.stdout.split('\n')[0] ?? '').trim());
  }
  return versionCache.get(tool);
}
export const haveTool = (tool) => toolVersion(tool) !== null;

// ---------------------------------------------------------------------------------------------------------------
// Corpus listing

/**
 * Per-file directives in the leading comment block (`// @args: ...`, `// @env: ...` for C, `// @...` or `# @...`
 * for assembly): @args is split like a POSIX shell word list (single/double quotes, no expansion); @env is a list
 * of NAME=VALUE words; @variants restricts which build variants are made.
 */
export function parseDirectives(text, file = '<source>') {
  const out = { args: [], env: {}, variants: null };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*(?:\/\/|#|\/\*|\*)\s*@(\w+):\s*(.*?)\s*(?:\*\/)?\s*$/.exec(lines[i]);
    if (!m) continue;
    const [, key, value] = m;
    const words = splitWords(value, `${file}:${i + 1}`);
    if (key === 'args') out.args = words;
    else if (key === 'env') {
      for (const w of words) {
        const eq = w.indexOf('=');
        if (eq <= 0) throw new Error(`${file}:${i + 1}: @env word "${w}" is not NAME=VALUE`);
        out.env[w.slice(0, eq)] = w.slice(eq + 1);
      }
    } else if (key === 'variants') out.variants = words;
    else throw new Error(`${file}:${i + 1}: unknown directive @${key}`);
  }
  return out;
}

function splitWords(s, where) {
  const words = [];
  let cur = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "'" || c === '"') {
      const end = s.indexOf(c, i + 1);
      if (end < 0) throw new Error(`${where}: unterminated ${c} quote`);
      cur = (cur ?? '') + s.slice(i + 1, end);
      i = end;
    } else if (c === ' ' || c === '\t') {
      if (cur !== null) words.push(cur);
      cur = null;
    } else cur = (cur ?? '') + c;
  }
  if (cur !== null) words.push(cur);
  return words;
}

const C_VARIANTS = ['gcc-O0', 'gcc-O2', 'clang-O0', 'clang-O2'];

/** Source groups: directory (relative to the repo), accepted extensions, group name used in ids and cache paths. */
export const GROUPS = [
  { group: 'c', dir: 'test/corpus/c', exts: ['.c'] },
  { group: 'asm', dir: 'test/corpus/asm', exts: ['.s', '.S'] },
  { group: 'trace', dir: 'test/corpus/trace', exts: ['.s', '.S'] },
  { group: 'examples', dir: 'examples', exts: ['.c'] },
  { group: 'bench', dir: 'bench/programs', exts: ['.s', '.S'] },
];

/**
 * Every corpus entry (one per source file and build variant). Fields: id ("group/name@variant"), group, name,
 * variant, source (absolute), out (absolute path of the ELF), args, env.
 */
export function listCorpus(filters = []) {
  const entries = [];
  for (const g of GROUPS) {
    const dir = join(REPO, g.dir);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).sort()) {
      const ext = extname(file);
      if (!g.exts.includes(ext)) continue;
      const source = join(dir, file);
      const name = basename(file, ext);
      const d = parseDirectives(readFileSync(source, 'utf8'), relative(REPO, source));
      const all = ext === '.c' ? C_VARIANTS : ext === '.S' ? ['gcc-S'] : ['gas'];
      for (const variant of all) {
        if (d.variants && !d.variants.includes(variant)) continue;
        const id = `${g.group}/${name}@${variant}`;
        entries.push({ id, group: g.group, name, variant, source, out: join(CACHE, g.group, `${name}.${variant}.elf`), args: d.args, env: d.env });
      }
    }
  }
  return filters.length ? entries.filter((e) => filters.some((f) => e.id.includes(f))) : entries;
}

// ---------------------------------------------------------------------------------------------------------------
// Building

/** The commands that build one entry: a list of argv arrays; `$OBJ` stands for a temporary object file. */
export function buildCommands(e) {
  const src = e.source;
  const inc = `-I${dirname(src)}`;
  const out = `${e.out}.tmp`;
  const [cc, opt] = e.variant.split('-');
  if (cc === 'gcc' && opt !== 'S')
    return [[TOOLS.gcc, '-static', `-${opt}`, '-g', MARCH, '-Wall', '-Wno-unused-function', inc, '-o', out, src, '-lm']];
  if (cc === 'clang')
    return [[TOOLS.clang, '--target=aarch64-linux-gnu', MARCH, '-fuse-ld=lld', '-static', `-${opt}`, '-g', '-Wall',
      '-Wno-unused-function', inc, '-o', out, src, '-lm']];
  if (e.variant === 'gcc-S') return [[TOOLS.gcc, '-c', '-g', MARCH, inc, '-o', '$OBJ', src], [TOOLS.ld, '-static', '-o', out, '$OBJ']];
  if (e.variant === 'gas') return [[TOOLS.as, '-g', MARCH, inc, '-o', '$OBJ', src], [TOOLS.ld, '-static', '-o', out, '$OBJ']];
  throw new Error(`${e.id}: unknown variant ${e.variant}`);
}

/** Hash of everything the output depends on: commands, tool versions, the source and its directory's headers. */
function inputHash(e, cmds) {
  const h = createHash('sha256');
  h.update(JSON.stringify(cmds.map((c) => c.map((a) => a.replace(e.out, '<out>')))));
  for (const c of cmds) h.update(String(toolVersion(c[0])));
  h.update(readFileSync(e.source));
  const dir = dirname(e.source);
  for (const f of readdirSync(dir).sort())
    if (/\.(h|inc|i)$/.test(f)) { h.update(f); h.update(readFileSync(join(dir, f))); }
  return h.digest('hex');
}

function runAsync(argv) {
  return new Promise((res) => {
    const p = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('error', (err) => res({ ok: false, output: String(err) }));
    p.on('close', (code, signal) => res({ ok: code === 0, output: out + (signal ? `\nkilled by ${signal}` : '') }));
  });
}

/**
 * Builds one entry unless its hash is unchanged. Result: { status: 'built' | 'cached' | 'failed' | 'skipped',
 * reason? }. 'skipped' means a needed tool is not installed.
 */
export async function buildEntry(e) {
  const cmds = buildCommands(e);
  const missing = [...new Set(cmds.map((c) => c[0]))].filter((t) => !haveTool(t));
  if (missing.length) return { status: 'skipped', reason: `tool not installed: ${missing.join(', ')}` };
  const hash = inputHash(e, cmds);
  const hashFile = `${e.out}.hash`;
  if (existsSync(e.out) && existsSync(hashFile) && readFileSync(hashFile, 'utf8') === hash) return { status: 'cached' };
  mkdirSync(dirname(e.out), { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), 'tv-corpus-'));
  try {
    const obj = join(tmp, 'obj.o');
    for (const c of cmds) {
      const argv = c.map((a) => (a === '$OBJ' ? obj : a));
      const r = await runAsync(argv);
      if (!r.ok) {
        rmSync(hashFile, { force: true });
        return { status: 'failed', reason: `${argv.join(' ')}\n${r.output.trim()}` };
      }
    }
    renameSync(`${e.out}.tmp`, e.out);
    writeFileSync(hashFile, hash);
    return { status: 'built' };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(`${e.out}.tmp`, { force: true });
  }
}

/** Builds all entries (concurrency `jobs`, default 2). Returns the entries with a `build` result attached. */
export async function buildCorpus({ filters = [], jobs = 2, onResult } = {}) {
  const entries = listCorpus(filters);
  let next = 0;
  async function worker() {
    while (next < entries.length) {
      const e = entries[next++];
      e.build = await buildEntry(e);
      onResult?.(e);
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  return entries;
}

// ---------------------------------------------------------------------------------------------------------------
// Running

/** Signal number for a Node signal name ('SIGSEGV' -> 11). */
export function signalNumber(name) {
  const n = osConstants.signals[name];
  if (n === undefined) throw new Error(`unknown signal ${name}`);
  return n;
}

/** Shell-style status: the exit code, or 128+N for death by signal N. */
export function shellStatus(r) {
  if (r.signal) return 128 + signalNumber(r.signal);
  return r.status;
}

/** Lines QEMU itself adds to stderr when the guest dies by a signal. */
const QEMU_NOISE = /^qemu: uncaught target signal \d+ \([^)]*\)( - core dumped)?\n?/gm;

function runIn(argv, { env, timeout }) {
  const cwd = mkdtempSync(join(tmpdir(), 'tv-run-')); // QEMU may drop a core file in the cwd
  try {
    const r = spawnSync(argv[0], argv.slice(1), { cwd, env, input: '', timeout, maxBuffer: 64 << 20, encoding: 'latin1' });
    if (r.error && r.error.code !== 'ETIMEDOUT') throw new Error(`cannot run ${argv[0]}: ${r.error.message}`);
    return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status, signal: r.signal, timedOut: r.error?.code === 'ETIMEDOUT' };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

/**
 * Runs an entry (or any ELF) under `qemu-aarch64 -cpu max` with the harness's fixed conditions: empty stdin, a
 * fresh temporary cwd, and an environment containing only the program's @env variables. Returns
 * { stdout, stderr (QEMU's own "uncaught target signal" line removed), status (128+N for signal N), timedOut }.
 */
export function runQemu(elf, args = [], env = {}, { timeout = 30000, extra = [] } = {}) {
  const r = runIn([TOOLS.qemu, '-cpu', 'max', ...extra, elf, ...args], { env, timeout });
  return { stdout: r.stdout, stderr: r.stderr.replace(QEMU_NOISE, ''), status: shellStatus(r), timedOut: r.timedOut, rawSignal: r.signal };
}

/** The CLI under test; TV_CLI overrides it (e.g. to point the harness at a stand-in while developing). */
export const CLI = process.env.TV_CLI ? resolve(process.env.TV_CLI) : join(REPO, 'dist', 'cli.js');

/**
 * Runs an ELF under our CLI: `node dist/cli.js run --no-report [extraOptions] ELF ARGS...`, same conditions as
 * runQemu. The CLI reports guest death by signal N as exit code 128+N (a raw signal is accepted too).
 */
export function runCli(elf, args = [], env = {}, { timeout = 300000, options = [] } = {}) {
  const r = runIn([process.execPath, CLI, 'run', '--no-report', ...options, elf, ...args], { env, timeout });
  return { stdout: r.stdout, stderr: r.stderr, status: shellStatus(r), timedOut: r.timedOut, rawSignal: r.signal };
}

/**
 * Runs an entry `runs` times under QEMU (at least 2); returns null if all runs agree, else a description of
 * the difference. The last run adds an unrelated environment variable of a few hundred bytes, which moves the
 * initial stack pointer: a program whose output changes then prints stack addresses, which would differ
 * between QEMU and our CLI.
 */
export function checkDeterminism(e, runs = 3) {
  const results = [];
  for (let i = 0; i < Math.max(2, runs); i++) {
    const last = i === Math.max(2, runs) - 1;
    results.push(runQemu(e.out, e.args, last ? { ...e.env, ZZ_STACK_SHIFT: 'x'.repeat(333) } : e.env));
  }
  if (results[0].timedOut) return 'timed out';
  for (let i = 1; i < results.length; i++) {
    for (const k of ['stdout', 'stderr', 'status']) {
      if (results[i][k] !== results[0][k]) {
        const what = i === results.length - 1 ? ' (stack-shifted run: output depends on stack addresses)' : '';
        return `${k} differs between run 1 and run ${i + 1}${what}: ${firstDifference(String(results[0][k]), String(results[i][k]))}`;
      }
    }
  }
  return null;
}

/** "line L: expected ... / got ..." for the first differing line of two texts. */
export function firstDifference(a, b) {
  const la = a.split('\n'), lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++)
    if (la[i] !== lb[i]) return `line ${i + 1}: ${JSON.stringify(la[i] ?? '<end>')} vs ${JSON.stringify(lb[i] ?? '<end>')}`;
  return 'identical';
}

// ---------------------------------------------------------------------------------------------------------------
// Command line

async function main(argv) {
  const filters = [];
  let check = false, runs = 3, jobs = 2, list = false, quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--check') check = true;
    else if (a === '--runs') runs = Number(argv[++i]);
    else if (a === '--jobs') jobs = Number(argv[++i]);
    else if (a === '--list') list = true;
    else if (a === '--quiet') quiet = true;
    else if (a.startsWith('--')) { console.error(`build.mjs: unknown option ${a}`); return 2; }
    else filters.push(a);
  }
  if (list) { for (const e of listCorpus(filters)) console.log(`${e.id}\t${relative(REPO, e.out)}`); return 0; }
  const entries = await buildCorpus({
    filters, jobs,
    onResult: (e) => { if (!quiet || e.build.status === 'failed') console.log(`${e.build.status.padEnd(7)} ${e.id}`); },
  });
  const by = (s) => entries.filter((e) => e.build.status === s);
  const variants = [...new Set(entries.map((e) => e.variant))];
  console.log('\nvariant      ok  failed skipped');
  for (const v of variants) {
    const es = entries.filter((e) => e.variant === v);
    const ok = es.filter((e) => e.build.status === 'built' || e.build.status === 'cached').length;
    console.log(`${v.padEnd(10)} ${String(ok).padStart(4)} ${String(es.filter((e) => e.build.status === 'failed').length).padStart(7)} ${String(es.filter((e) => e.build.status === 'skipped').length).padStart(7)}`);
  }
  for (const e of by('failed')) console.log(`\nFAILED ${e.id}\n${e.build.reason}`);
  for (const e of by('skipped')) console.log(`skipped ${e.id}: ${e.build.reason}`);
  let bad = by('failed').length;
  if (check) {
    if (!haveTool(TOOLS.qemu)) { console.log(`--check: ${TOOLS.qemu} not installed`); return 1; }
    const runnable = entries.filter((e) => e.build.status === 'built' || e.build.status === 'cached').filter((e) => e.group !== 'bench');
    console.log(`\nchecking determinism of ${runnable.length} binaries (${runs} runs each)`);
    for (const e of runnable) {
      const d = checkDeterminism(e, runs);
      if (d) { bad++; console.log(`NONDETERMINISTIC ${e.id}: ${d}`); }
      else if (!quiet) console.log(`deterministic ${e.id}`);
    }
  }
  return bad ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (err) => { console.error(err); process.exit(1); });
}
