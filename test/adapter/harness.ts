// Test harness for the debug adapter: builds the shipped bundle (dist/adapter.js) with build.mjs,
// starts it under @vscode/debugadapter-testsupport's DebugClient, and records every message of a
// session as a readable transcript:
//   --> command {arguments}          a request we sent
//   <-- command ok {body}            its response (or `<-- command error: message`)
//   <== event {body}                 an event from the adapter
// Adapter messages are recorded in the order the adapter sent them; each request line is placed
// just before its response, so a transcript does not depend on timing.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

const CHECKOUT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The guest's initial stack holds the program path (argv[0], AT_EXECFN), so stack addresses in the
 * transcripts depend on the path's length. Programs are launched through a symlink whose path has
 * the length of the checkout the golden files were recorded in ('/work/main'), wherever the clone is.
 * The link's name is derived from the checkout's path, so test runs in several checkouts (worktrees)
 * at once do not redirect each other's link.
 */
function stableRepo(): string {
  const link = `/tmp/tv${createHash('sha1').update(CHECKOUT).digest('hex').slice(0, 3)}`;
  try {
    if (existsSync(link) && readlinkSync(link) === CHECKOUT) return link;
    const tmp = `${link}.${process.pid}`;
    rmSync(tmp, { force: true });
    symlinkSync(CHECKOUT, tmp);
    renameSync(tmp, link); // atomic replace: concurrent test files never see a missing link
    return link;
  } catch {
    return CHECKOUT;
  }
}
export const REPO = stableRepo();
export const ADAPTER = join(REPO, 'dist', 'adapter.js');
export const GOLDEN_DIR = join(REPO, 'test', 'adapter', 'golden');
export const PROGRAMS = join(REPO, 'test', 'adapter', 'programs');
export const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** Runs `node build.mjs` once per test process, serialised across processes with a lock directory. */
let built = false;
export function buildAdapter(): void {
  if (built) return;
  const lock = join(REPO, 'test', '.cache', 'adapter-build.lock');
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try { mkdirSync(lock); break; } catch {
      // A lock older than two minutes belongs to a process that died.
      try { if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true }); } catch { /* gone */ }
      if (Date.now() > deadline) throw new Error('timed out waiting for the adapter build lock');
      spawnSync(process.execPath, ['-e', 'setTimeout(()=>{},100)']);
    }
  }
  try {
    const r = spawnSync(process.execPath, ['build.mjs'], { cwd: REPO, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`node build.mjs failed:\n${r.stdout}\n${r.stderr}`);
    if (!existsSync(ADAPTER)) throw new Error('build.mjs did not produce dist/adapter.js');
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  built = true;
}

type Msg = DebugProtocol.ProtocolMessage & Record<string, unknown>;

export class Session {
  readonly dc: DebugClient;
  readonly lines: string[] = [];
  private readonly received: Msg[] = [];
  private readonly sent = new Map<number, string>();
  private flushed = 0;

  /** Events left out of the transcript (their number depends on timing); still in `messages`. */
  ignoreEvents = new Set<string>();

  constructor(readonly cwd = REPO) {
    this.dc = new DebugClient(process.execPath, ADAPTER, 'tagvisor', { cwd }, true);
    const client = this.dc as unknown as { dispatch(body: string): void; doSend(c: string, a: unknown, cb: (r: unknown) => void): void; sequence: number };
    const dispatch = client.dispatch.bind(client);
    client.dispatch = (body: string) => { this.received.push(JSON.parse(body) as Msg); dispatch(body); };
    const doSend = client.doSend.bind(client);
    client.doSend = (command: string, args: unknown, cb: (r: unknown) => void) => {
      this.sent.set(client.sequence, `--> ${command}${args && Object.keys(args as object).length ? ' ' + show(args) : ''}`);
      doSend(command, args, cb);
    };
  }

  async start(): Promise<void> { await this.dc.start(); }

  /** Sends a request; resolves with the response whether it succeeded or not. */
  async req(command: string, args?: object): Promise<DebugProtocol.Response> {
    return new Promise(res => {
      (this.dc as unknown as { doSend(c: string, a: unknown, cb: (r: DebugProtocol.Response) => void): void }).doSend(command, args ?? {}, r => res(r));
    });
  }

  /** Sends a request that must succeed. */
  async ok(command: string, args?: object): Promise<DebugProtocol.Response> {
    const r = await this.req(command, args);
    if (!r.success) throw new Error(`${command} failed: ${r.message}`);
    return r;
  }

  /** Waits for the next event of this kind (one not already waited for). */
  async until(event: string, timeoutMs = 30_000): Promise<DebugProtocol.Event> {
    const seen = this.consumed.get(event) ?? 0;
    const t0 = Date.now();
    for (;;) {
      const all = this.received.filter(m => m.type === 'event' && m.event === event);
      if (all.length > seen) { this.consumed.set(event, seen + 1); return all[seen] as unknown as DebugProtocol.Event; }
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for event '${event}'`);
      await new Promise(r => setTimeout(r, 5));
    }
  }
  private consumed = new Map<string, number>();

  /** The transcript of everything received so far (requests placed before their responses). */
  transcript(): string {
    for (; this.flushed < this.received.length; this.flushed++) {
      const m = this.received[this.flushed];
      if (m.type === 'response') {
        const r = m as unknown as DebugProtocol.Response;
        const sent = this.sent.get(r.request_seq);
        if (sent) this.lines.push(sent);
        this.lines.push(r.success ? `<-- ${r.command} ok${r.body !== undefined && Object.keys(r.body as object).length ? ' ' + show(r.body) : ''}` : `<-- ${r.command} error: ${r.message}`);
      } else if (m.type === 'event') {
        const e = m as unknown as DebugProtocol.Event;
        if (this.ignoreEvents.has(e.event)) continue;
        this.lines.push(`<== ${e.event}${e.body !== undefined ? ' ' + show(e.body) : ''}`);
      }
    }
    return this.lines.join('\n').split(REPO).join('$REPO') + '\n';
  }

  /** Every message received (for assertions). */
  get messages(): readonly Msg[] { return this.received; }

  async stop(): Promise<void> {
    await this.dc.stop();
  }
}

/** Compact JSON, with object keys in the order given. */
function show(v: unknown): string {
  return JSON.stringify(v);
}

/** Compares a transcript with test/adapter/golden/<name>.txt, or writes it with UPDATE_GOLDEN=1. */
export function checkGolden(name: string, text: string): { ok: true } | { ok: false; diff: string } {
  const file = join(GOLDEN_DIR, `${name}.txt`);
  if (UPDATE) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, text);
    return { ok: true };
  }
  if (!existsSync(file)) return { ok: false, diff: `${name}: ${file} does not exist (run with UPDATE_GOLDEN=1 to create it)` };
  const want = readFileSync(file, 'utf8');
  if (want === text) return { ok: true };
  const a = want.split('\n'), b = text.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return {
    ok: false,
    diff: `${name}: transcript differs from ${file} at line ${i + 1} (run with UPDATE_GOLDEN=1 to accept):\n- ${a[i] ?? '(end)'}\n+ ${b[i] ?? '(end)'}`,
  };
}

export const INIT = { adapterID: 'tagvisor', clientID: 'tests', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true, supportsMemoryReferences: true, supportsVariableType: false };
