// Messages between the Memory Tag Inspector webview and the extension host. Addresses travel as hex
// strings (JSON has no bigint). Everything the webview sends is checked by `parseFromWebview` before
// the host acts on it: a webview is a separate, less trusted context.

export interface Provenance {
  /** Address of the instruction that wrote the tag (hex), and its disassembly. */
  pc: string;
  instruction: string;
  /** Instruction number when it happened (1-based). */
  step: number;
  /** The tag before that write. */
  previous: number;
  by: 'instruction' | 'debugger' | string;
  /** The source position of the instruction, when known. */
  source?: string;
}

export interface GranuleInfo {
  /** Allocation tag, or null when the granule has no tag storage or cannot be read (unmapped, private, device). */
  tag: number | null;
  provenance?: Provenance;
  /** Why `tag` is null, when known. */
  note?: string;
}

export interface RegisterPointer {
  name: string;
  value: string;
  /** The allocation tag of the granule it points to, as the adapter reports it (`[tag 0xb != mem 0xc: mismatch]`). */
  allocationTag?: number;
}

export interface FaultMark { address: string; logicalTag?: number; allocationTag?: number; text: string }

export interface InspectorState {
  /** The debug session, or null when none is paused. */
  session: { name: string; state: 'stopped' | 'running' | 'none'; reason?: string } | null;
  windowStart: string;
  /** Granule to select and reveal (hex address), if the host wants one. */
  reveal?: string;
  /** Changes whenever the host asks for a new reveal; the webview applies each one once. */
  revealSeq: number;
  /** Center the revealed granule in the viewport. */
  center?: boolean;
  registers: RegisterPointer[];
  fault?: FaultMark;
  follow: string | null;
  /** Increases on every stop / refresh; tag chunks of an older generation are stale. */
  generation: number;
  /** Whether the debugger can go back to a tag write (history enabled). */
  canReverse: boolean;
  message?: string;
}

export type HostToWebview =
  | { type: 'state'; state: InspectorState }
  | { type: 'tags'; generation: number; start: string; granules: GranuleInfo[]; error?: string }
  | { type: 'error'; message: string };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'fetch'; generation: number; start: string; count: number }
  | { type: 'goto'; text: string }
  | { type: 'follow'; register: string | null }
  | { type: 'reverseTo'; address: string; step: number }
  | { type: 'setTag'; address: string; tag: number }
  | { type: 'refresh' };

export const MAX_FETCH_GRANULES = 4096;
const HEX = /^0x[0-9a-f]{1,16}$/i;
const REGISTER = /^[a-z][a-z0-9_]{0,15}$/i;

/** Validates a message from the webview; undefined for anything malformed. */
export function parseFromWebview(m: unknown): WebviewToHost | undefined {
  if (!m || typeof m !== 'object') return undefined;
  const o = m as Record<string, unknown>;
  const int = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
  const hexStr = (v: unknown): v is string => typeof v === 'string' && HEX.test(v);
  switch (o.type) {
    case 'ready': case 'refresh': return { type: o.type };
    case 'fetch':
      if (!int(o.generation, 0, Number.MAX_SAFE_INTEGER) || !hexStr(o.start) || !int(o.count, 1, MAX_FETCH_GRANULES)) return undefined;
      return { type: 'fetch', generation: o.generation, start: o.start, count: o.count };
    case 'goto':
      if (typeof o.text !== 'string' || o.text.length > 200) return undefined;
      return { type: 'goto', text: o.text };
    case 'follow':
      if (o.register !== null && !(typeof o.register === 'string' && REGISTER.test(o.register))) return undefined;
      return { type: 'follow', register: o.register as string | null };
    case 'reverseTo':
      if (!hexStr(o.address) || !int(o.step, 0, Number.MAX_SAFE_INTEGER)) return undefined;
      return { type: 'reverseTo', address: o.address, step: o.step };
    case 'setTag':
      if (!hexStr(o.address) || !int(o.tag, 0, 15)) return undefined;
      return { type: 'setTag', address: o.address, tag: o.tag };
    default: return undefined;
  }
}
