// The migration byte stream (format documented in emulator/hv/README.md, "Migration stream"):
// an encoder that turns migration records into bytes, an incremental decoder that feeds a
// MigrationTarget, and transports: in memory (used by --migrate-every), a file, and a TCP socket
// on loopback.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as zlib from 'node:zlib';
import * as pageConsts from '../memory/page';
// Local copies: an imported binding is a getter call per use under the CJS test/bench loader.
const { PAGE_SIZE, TAG_BYTES_PER_PAGE } = pageConsts;
import { type HvResult, fail, ok } from './errors';
import { unpackTags } from './host';
import type { HvGuest, VmExit } from './kvm';
import {
  type MigrateResult, type MigrationHeader, type MigrationOptions, type MigrationReport, type MigrationSink,
  MigrationTarget, type TargetOptions, completeMigration, precopy, registerStreamHook,
} from './migration';
import type { HvGuestFactory, Vmm } from './vmm';

export const STREAM_MAGIC = 'TGVMIG01';
export const STREAM_VERSION = 1;
export const REC_PAGE = 0x01;
export const REC_ZERO = 0x02;
export const REC_ROUND = 0x03;
export const REC_VCPU = 0x04;
export const REC_END = 0x05;
const PAGE_HAS_TAGS = 0x01;
const HDR_WITH_TAGS = 0x01;

/** CRC-32 (IEEE), zlib's when available. */
const crc32: (data: Uint8Array, prev: number) => number = (zlib as unknown as { crc32?: (d: Uint8Array, v: number) => number }).crc32
  ?? (() => {
    const t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; t[n] = c >>> 0; }
    return (d: Uint8Array, prev: number) => { let c = ~prev >>> 0; for (let i = 0; i < d.length; i++) c = t[(c ^ d[i]) & 0xff] ^ (c >>> 8); return ~c >>> 0; };
  })();

/** Encodes migration records into chunks handed to `write` (at most `chunkSize` bytes each). */
export class StreamWriter implements MigrationSink {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;
  private crc = 0;
  bytes = 0;
  constructor(private readonly write: (chunk: Uint8Array) => void, private readonly chunkSize = 1 << 20) {
    this.buf = new Uint8Array(chunkSize);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) { this.buf = new Uint8Array(n); this.view = new DataView(this.buf.buffer); }
  }

  private flush(): void {
    if (this.pos === 0) return;
    const chunk = this.buf.slice(0, this.pos);
    this.crc = crc32(chunk, this.crc);
    this.bytes += chunk.length;
    this.pos = 0;
    this.write(chunk);
  }

  header(h: MigrationHeader): void {
    const cfg = new TextEncoder().encode(JSON.stringify(h.config));
    this.ensure(24 + cfg.length);
    for (let i = 0; i < 8; i++) this.buf[this.pos + i] = STREAM_MAGIC.charCodeAt(i);
    this.view.setUint32(this.pos + 8, STREAM_VERSION, true);
    this.view.setUint32(this.pos + 12, h.withTags ? HDR_WITH_TAGS : 0, true);
    this.view.setUint32(this.pos + 16, PAGE_SIZE, true);
    this.view.setUint32(this.pos + 20, cfg.length, true);
    this.buf.set(cfg, this.pos + 24);
    this.pos += 24 + cfg.length;
  }

  page(gfn: number, data: Uint8Array, tags: Uint8Array | null): void {
    const n = 10 + PAGE_SIZE + (tags ? TAG_BYTES_PER_PAGE : 0);
    this.ensure(n);
    const p = this.pos;
    this.buf[p] = REC_PAGE;
    this.view.setBigUint64(p + 1, BigInt(gfn), true);
    this.buf[p + 9] = tags ? PAGE_HAS_TAGS : 0;
    this.buf.set(data, p + 10);
    if (tags) {
      // Two tags per byte on the wire (the layout of PhysPage.tags and of mteswap's buffers).
      const b = this.buf, o = p + 10 + PAGE_SIZE;
      for (let i = 0, j = 0; i < TAG_BYTES_PER_PAGE; i++, j += 2) b[o + i] = (tags[j] & 0xf) | ((tags[j + 1] & 0xf) << 4);
    }
    this.pos += n;
  }

  zero(gfn: number): void {
    this.ensure(9);
    this.buf[this.pos] = REC_ZERO;
    this.view.setBigUint64(this.pos + 1, BigInt(gfn), true);
    this.pos += 9;
  }

  roundEnd(round: number, pages: number): void {
    this.ensure(9);
    this.buf[this.pos] = REC_ROUND;
    this.view.setUint32(this.pos + 1, round, true);
    this.view.setUint32(this.pos + 5, pages, true);
    this.pos += 9;
    this.flush();
  }

  vcpu(state: Uint8Array): void {
    this.ensure(5 + state.length);
    this.buf[this.pos] = REC_VCPU;
    this.view.setUint32(this.pos + 1, state.length, true);
    this.buf.set(state, this.pos + 5);
    this.pos += 5 + state.length;
  }

  end(): void {
    this.ensure(1);
    this.buf[this.pos++] = REC_END;
    this.flush(); // the CRC covers every byte up to and including the END type byte
    const tail = new Uint8Array(4);
    new DataView(tail.buffer).setUint32(0, this.crc, true);
    this.bytes += 4;
    this.write(tail);
  }
}

export class StreamFormatError extends Error {
  constructor(readonly offset: number, message: string) {
    super(`migration stream offset ${offset} (0x${offset.toString(16)}): ${message}`);
    this.name = 'StreamFormatError';
  }
}

/**
 * Incremental decoder: push() chunks as they arrive; records are applied to `sink` as soon as
 * they are complete. Errors name the byte offset.
 */
export class StreamReader {
  private pending: Uint8Array = new Uint8Array(0);
  /** Stream offset of pending[0]. */
  private base = 0;
  private state: 'header' | 'records' | 'crc' | 'done' = 'header';
  private crc = 0;
  private readonly tagScratch = new Uint8Array(TAG_BYTES_PER_PAGE * 2);
  withTags = false;
  constructor(private readonly sink: MigrationSink) {}

  get finished(): boolean { return this.state === 'done'; }

  push(chunk: Uint8Array): void {
    if (this.state === 'done') { if (chunk.length) throw new StreamFormatError(this.base, 'data after the end of the stream'); return; }
    if (this.pending.length === 0) this.pending = chunk;
    else { const m = new Uint8Array(this.pending.length + chunk.length); m.set(this.pending); m.set(chunk, this.pending.length); this.pending = m; }
    let pos = 0;
    const buf = this.pending;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const need = (n: number) => pos + n <= buf.length;
    for (;;) {
      if (this.state === 'header') {
        if (!need(24)) break;
        const magic = String.fromCharCode(...buf.subarray(0, 8));
        if (magic !== STREAM_MAGIC) throw new StreamFormatError(this.base, `bad magic ${JSON.stringify(magic)} (expected ${STREAM_MAGIC})`);
        const ver = view.getUint32(8, true);
        if (ver !== STREAM_VERSION) throw new StreamFormatError(this.base + 8, `unsupported version ${ver}`);
        const flags = view.getUint32(12, true);
        if ((flags & ~HDR_WITH_TAGS) !== 0) throw new StreamFormatError(this.base + 12, `unknown header flags 0x${flags.toString(16)}`);
        const ps = view.getUint32(16, true);
        if (ps !== PAGE_SIZE) throw new StreamFormatError(this.base + 16, `page size ${ps} (expected ${PAGE_SIZE})`);
        const len = view.getUint32(20, true);
        if (!need(24 + len)) break;
        let config: unknown;
        try { config = JSON.parse(new TextDecoder().decode(buf.subarray(24, 24 + len))); } catch (e) { throw new StreamFormatError(this.base + 24, `header config is not JSON: ${(e as Error).message}`); }
        this.withTags = (flags & HDR_WITH_TAGS) !== 0;
        try { this.sink.header({ config, withTags: this.withTags }); } catch (e) { throw new StreamFormatError(this.base + 24, (e as Error).message); }
        pos = 24 + len;
        this.state = 'records';
        continue;
      }
      if (this.state === 'crc') {
        if (!need(4)) break;
        const want = view.getUint32(pos, true);
        this.crc = crc32(buf.subarray(0, pos), this.crc);
        if (want !== this.crc) throw new StreamFormatError(this.base + pos, `CRC-32 mismatch: stream says 0x${want.toString(16)}, data gives 0x${this.crc.toString(16)}`);
        pos += 4;
        this.state = 'done';
        try { this.sink.end(); } catch (e) { throw new StreamFormatError(this.base + pos, (e as Error).message); }
        break;
      }
      if (!need(1)) break;
      const at = this.base + pos;
      const type = buf[pos];
      try {
        if (type === REC_PAGE) {
          if (!need(10)) break;
          const fl = buf[pos + 9];
          if ((fl & ~PAGE_HAS_TAGS) !== 0) throw new StreamFormatError(at + 9, `unknown page flags 0x${fl.toString(16)}`);
          const n = 10 + PAGE_SIZE + (fl & PAGE_HAS_TAGS ? TAG_BYTES_PER_PAGE : 0);
          if (!need(n)) break;
          if ((fl & PAGE_HAS_TAGS) && !this.withTags) throw new StreamFormatError(at + 9, 'page carries tags but the header says the stream has none');
          const gfn = Number(view.getBigUint64(pos + 1, true));
          let tags: Uint8Array | null = null;
          if (fl & PAGE_HAS_TAGS) { unpackTags(buf.subarray(pos + 10 + PAGE_SIZE, pos + n), this.tagScratch, 0); tags = this.tagScratch; }
          this.sink.page(gfn, buf.subarray(pos + 10, pos + 10 + PAGE_SIZE), tags);
          pos += n;
        } else if (type === REC_ZERO) {
          if (!need(9)) break;
          this.sink.zero(Number(view.getBigUint64(pos + 1, true)));
          pos += 9;
        } else if (type === REC_ROUND) {
          if (!need(9)) break;
          this.sink.roundEnd(view.getUint32(pos + 1, true), view.getUint32(pos + 5, true));
          pos += 9;
        } else if (type === REC_VCPU) {
          if (!need(5)) break;
          const len = view.getUint32(pos + 1, true);
          if (!need(5 + len)) break;
          this.sink.vcpu(buf.slice(pos + 5, pos + 5 + len));
          pos += 5 + len;
        } else if (type === REC_END) {
          pos += 1;
          this.state = 'crc';
        } else {
          throw new StreamFormatError(at, `unknown record type 0x${type.toString(16)}`);
        }
      } catch (e) {
        if (e instanceof StreamFormatError) throw e;
        throw new StreamFormatError(at, (e as Error).message);
      }
    }
    // Keep the unconsumed tail; fold the consumed bytes into the CRC.
    if (pos > 0 && this.state !== 'done') this.crc = crc32(buf.subarray(0, pos), this.crc);
    this.pending = buf.subarray(pos);
    this.base += pos;
  }

  /** Call at end of input: a truncated stream is an error naming where it stopped. */
  close(): void {
    if (this.state !== 'done') throw new StreamFormatError(this.base + this.pending.length, `stream truncated (${this.state === 'header' ? 'in the header' : this.state === 'crc' ? 'before the CRC' : 'before the END record'})`);
  }
}

/** Decodes a complete stream into a sink (e.g. to inspect it). */
export function decodeMigrationStream(bytes: Uint8Array, sink: MigrationSink): void {
  const r = new StreamReader(sink);
  r.push(bytes);
  r.close();
}

type StreamMigration = HvResult<MigrateResult & { streamBytes: number }> & { exit?: VmExit };

function cancelled(r: { exit?: VmExit; error?: import('./errors').HvErr }): StreamMigration {
  if (r.error) return r.error;
  return { ...fail('EINTR', 'migrate', 'guest', `guest stopped during pre-copy (${r.exit!.reason})`), exit: r.exit };
}

/** Migrates through the byte-stream format in memory: each chunk is decoded as it is produced. */
export function migrateViaMemoryStream(src: Vmm, guest: HvGuest, factory: HvGuestFactory, opts: MigrationOptions & { verify?: boolean; target?: TargetOptions } = {}): StreamMigration {
  const target = new MigrationTarget(factory, { events: src.events, ...opts.target });
  const reader = new StreamReader(target);
  const writer = new StreamWriter(chunk => reader.push(chunk));
  const r = precopy(src, guest, writer, opts);
  if (!r.ok) return cancelled(r);
  reader.close();
  const res = completeMigration(src, target, r.report, opts.verify !== false);
  return ok({ ...res, streamBytes: writer.bytes });
}

/** Source half through a file: writes the whole stream to `path`. */
export function migrateToFile(src: Vmm, guest: HvGuest, path: string, opts: MigrationOptions = {}): HvResult<{ report: MigrationReport; bytes: number }> & { exit?: VmExit } {
  const fd = fs.openSync(path, 'w');
  let writer: StreamWriter;
  try {
    writer = new StreamWriter(chunk => { fs.writeSync(fd, chunk); });
    const r = precopy(src, guest, writer, opts);
    if (!r.ok) return cancelled(r) as never;
    return ok({ report: r.report, bytes: writer.bytes });
  } finally {
    fs.closeSync(fd);
  }
}

/** Destination half from a file: reads it in chunks into a fresh destination. */
export function incomingFromFile(path: string, factory: HvGuestFactory, opts: TargetOptions = {}): MigrationTarget {
  const target = new MigrationTarget(factory, opts);
  const reader = new StreamReader(target);
  const fd = fs.openSync(path, 'r');
  try {
    const chunk = new Uint8Array(1 << 20);
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      reader.push(chunk.slice(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  reader.close();
  return target;
}

/** Full migration through a file (source writes it, destination reads it back). */
export function migrateViaFile(src: Vmm, guest: HvGuest, factory: HvGuestFactory, path: string, opts: MigrationOptions & { verify?: boolean; target?: TargetOptions } = {}): StreamMigration {
  const w = migrateToFile(src, guest, path, opts);
  if (!w.ok) return w;
  const target = incomingFromFile(path, factory, { events: src.events, ...opts.target });
  const res = completeMigration(src, target, w.value.report, opts.verify !== false);
  return ok({ ...res, streamBytes: w.value.bytes });
}

/**
 * Live migration over a TCP connection on 127.0.0.1: the destination listens, the source connects
 * and streams while pre-copy rounds run; the destination decodes as bytes arrive.
 */
export async function migrateViaSocket(src: Vmm, guest: HvGuest, factory: HvGuestFactory, opts: MigrationOptions & { verify?: boolean; target?: TargetOptions } = {}): Promise<StreamMigration> {
  const target = new MigrationTarget(factory, { events: src.events, ...opts.target });
  const reader = new StreamReader(target);
  let readerError: Error | null = null;
  const server = net.createServer();
  const received = new Promise<void>((resolve, reject) => {
    server.on('connection', sock => {
      sock.on('data', (d: Buffer) => {
        if (readerError) return;
        try { reader.push(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)); } catch (e) { readerError = e as Error; sock.destroy(); reject(e); }
      });
      sock.on('end', () => { if (!readerError) { try { reader.close(); resolve(); } catch (e) { reject(e); } } });
      sock.on('error', reject);
    });
  });
  await new Promise<void>(res => server.listen(0, '127.0.0.1', () => res()));
  const port = (server.address() as net.AddressInfo).port;
  const client = net.connect(port, '127.0.0.1');
  await new Promise<void>((res, rej) => { client.once('connect', () => res()); client.once('error', rej); });
  // The source runs synchronously (the guest executes between rounds); chunks queue in the socket.
  const chunks: Uint8Array[] = [];
  const writer = new StreamWriter(c => { chunks.push(c); client.write(c); });
  const r = precopy(src, guest, writer, opts);
  client.end();
  try {
    if (!r.ok) { server.close(); return cancelled(r); }
    await received;
  } catch (e) {
    server.close();
    return fail('EIO', 'migrate', 'socket', (e as Error).message);
  }
  server.close();
  const res = completeMigration(src, target, r.report, opts.verify !== false);
  return ok({ ...res, streamBytes: writer.bytes });
}

// --migrate-every uses the in-memory stream.
registerStreamHook((src, guest, factory, opts) => {
  const r = migrateViaMemoryStream(src, guest, factory, opts);
  if (r.ok) return r.value;
  return { cancelled: r.exit ?? { reason: 'error', ret: r.code, errno: r.errno, message: r.message, gpa: -1, pc: src.vm.lastPc } };
});
