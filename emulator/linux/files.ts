// File descriptors of the guest process and what they can reach.
//
// Policy (documented in docs/LINUX.md): the guest sees
//  - fds 0, 1, 2: stdin (a host-supplied byte source), stdout and stderr (delivered as events);
//  - a few virtual files: /dev/null, /dev/zero, /dev/urandom, /dev/random (deterministic from the
//    seed), /proc/self/exe (the program), /proc/self/maps (generated);
//  - host files read-only, and only below the allowed roots (by default the program's directory):
//    a path is allowed when its real path (symlinks resolved) is inside a root. Writes, creation
//    and anything outside the roots fail (EROFS / EACCES), so a guest cannot touch the host.
import * as nodeFs from 'node:fs';
import * as nodePath from 'node:path';
import {
  EACCES, EISDIR, ENOENT, ENOTDIR, EROFS, O_ACCMODE, O_CREAT, O_DIRECTORY, O_RDONLY, O_TRUNC,
  S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFREG,
} from './constants';

export type StdioKind = 'tty' | 'pipe' | 'file' | 'null';

export interface StatInfo {
  dev: number; ino: number; mode: number; nlink: number; uid: number; gid: number; rdev: number;
  size: number; blksize: number; blocks: number;
  atimeNs: bigint; mtimeNs: bigint; ctimeNs: bigint;
}

export type FileKind = 'stdin' | 'stdout' | 'stderr' | 'file' | 'dir' | 'null' | 'zero' | 'random' | 'generated';

/** An open file description (shared by dup'ed descriptors). Plain data, so it can be snapshotted. */
export interface OpenFile {
  kind: FileKind;
  path: string;
  /** O_* flags given at open (access mode in the low bits). */
  flags: number;
  pos: number;
  /** Contents of regular / generated files. */
  data?: Uint8Array;
  /** Entries of a directory (for getdents64). */
  entries?: { name: string; type: number; ino: number }[];
  stat: StatInfo;
  /** For stdio: what the host descriptor is (decides isatty / ESPIPE). */
  stdio?: StdioKind;
}

export interface FdEntry { file: OpenFile; cloexec: boolean }

/** What the guest may see of the host file system. */
export interface HostFs {
  /** lstat-like: the entry at `path` (not following a final symlink), or undefined. */
  lstat(path: string): StatInfo | undefined;
  /** stat (following symlinks). */
  stat(path: string): StatInfo | undefined;
  readFile(path: string): Uint8Array;
  readdir(path: string): { name: string; type: number; ino: number }[];
  readlink(path: string): string | undefined;
  /** Canonical path with symlinks resolved, or undefined if it does not exist. */
  realpath(path: string): string | undefined;
}

function statOf(s: nodeFs.BigIntStats): StatInfo {
  return {
    dev: Number(s.dev), ino: Number(s.ino), mode: Number(s.mode), nlink: Number(s.nlink), uid: Number(s.uid), gid: Number(s.gid),
    rdev: Number(s.rdev), size: Number(s.size), blksize: Number(s.blksize), blocks: Number(s.blocks),
    atimeNs: s.atimeNs, mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs,
  };
}

/** The real file system through node:fs, read-only, limited to `roots`. */
export class NodeHostFs implements HostFs {
  readonly roots: string[];
  constructor(roots: string[]) {
    this.roots = roots.map(r => { try { return nodeFs.realpathSync(r); } catch { return nodePath.resolve(r); } });
  }
  /** Whether an absolute path lies inside an allowed root once symlinks are resolved. */
  allowed(path: string): boolean {
    let real: string | undefined;
    try { real = nodeFs.realpathSync(path); } catch {
      // A path that does not exist: judge by its parent directory.
      try { real = nodePath.join(nodeFs.realpathSync(nodePath.dirname(path)), nodePath.basename(path)); } catch { return false; }
    }
    return this.roots.some(r => real === r || real!.startsWith(r.endsWith('/') ? r : r + '/'));
  }
  lstat(path: string): StatInfo | undefined {
    try { return statOf(nodeFs.lstatSync(path, { bigint: true })); } catch { return undefined; }
  }
  stat(path: string): StatInfo | undefined {
    try { return statOf(nodeFs.statSync(path, { bigint: true })); } catch { return undefined; }
  }
  readFile(path: string): Uint8Array { return new Uint8Array(nodeFs.readFileSync(path)); }
  readdir(path: string): { name: string; type: number; ino: number }[] {
    const out: { name: string; type: number; ino: number }[] = [];
    for (const d of nodeFs.readdirSync(path, { withFileTypes: true })) {
      const type = d.isDirectory() ? 4 : d.isSymbolicLink() ? 10 : d.isFile() ? 8 : d.isFIFO() ? 1 : d.isCharacterDevice() ? 2 : d.isBlockDevice() ? 6 : d.isSocket() ? 12 : 0;
      const st = this.lstat(nodePath.join(path, d.name));
      out.push({ name: d.name, type, ino: st?.ino ?? 0 });
    }
    return out;
  }
  readlink(path: string): string | undefined {
    try { return nodeFs.readlinkSync(path); } catch { return undefined; }
  }
  realpath(path: string): string | undefined {
    try { return nodeFs.realpathSync(path); } catch { return undefined; }
  }
}

export function syntheticStat(mode: number, size: number, ino: number, rdev = 0, blksize = 4096): StatInfo {
  return {
    dev: 0x16, ino, mode, nlink: 1, uid: 0, gid: 0, rdev, size, blksize, blocks: Math.ceil(size / 512),
    atimeNs: 0n, mtimeNs: 0n, ctimeNs: 0n,
  };
}

/** st_mode / st_rdev for a stdio descriptor of the given kind (pts: major 136). */
export function stdioStat(kind: StdioKind, fd: number, uid: number, gid: number): StatInfo {
  switch (kind) {
    case 'tty': return { ...syntheticStat(S_IFCHR | 0o620, 0, 3, (136 << 8) | 0, 1024), uid, gid, dev: 0x18 };
    case 'pipe': return { ...syntheticStat(S_IFIFO | 0o600, 0, 1000 + fd, 0, 4096), uid, gid, dev: 0xe };
    case 'file': return { ...syntheticStat(S_IFREG | 0o644, 0, 2000 + fd, 0, 4096), uid, gid };
    case 'null': return { ...syntheticStat(S_IFCHR | 0o666, 0, 4, (1 << 8) | 3, 4096), dev: 5 };
  }
}

/** Resolves `p` against `base` like the kernel's path walk does lexically (., .., //). */
export function resolvePath(base: string, p: string): string {
  return nodePath.posix.resolve(base, p);
}

export interface OpenResult { file?: OpenFile; errno?: number }

/** Opens a host file read-only if the policy allows it. */
export function openHost(host: HostFs & { allowed?(p: string): boolean }, path: string, flags: number): OpenResult {
  const acc = flags & O_ACCMODE;
  if (host.allowed && !host.allowed(path)) return { errno: EACCES };
  const st = host.stat(path);
  if (!st) return { errno: (flags & O_CREAT) ? EROFS : ENOENT };
  if (acc !== O_RDONLY || (flags & O_TRUNC)) return { errno: (st.mode & 0o170000) === S_IFDIR ? EISDIR : EROFS };
  const isDir = (st.mode & 0o170000) === S_IFDIR;
  if ((flags & O_DIRECTORY) && !isDir) return { errno: ENOTDIR };
  if (isDir) return { file: { kind: 'dir', path, flags, pos: 0, entries: host.readdir(path), stat: st } };
  if ((st.mode & 0o170000) !== S_IFREG) return { errno: EACCES };
  return { file: { kind: 'file', path, flags, pos: 0, data: host.readFile(path), stat: st } };
}

export const DT_DIR = 4, DT_REG = 8, DT_LNK = 10, DT_CHR = 2;
export { S_IFLNK };
