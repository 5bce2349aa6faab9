// The Hypervisor view's model: the adapter's `tagvisor/hypervisor` snapshot as tree nodes (pure).
// Known sections get a fixed order, friendly labels and context values for their commands; any other
// field is shown generically, so the view never hides what the adapter reports.

export interface HvNode {
  label: string;
  description?: string;
  tooltip?: string;
  children?: HvNode[];
  /** For menus: 'memslot', 'privateRange', 'section', ... */
  contextValue?: string;
  /** Codicon id. */
  icon?: string;
  /** A guest-physical range the node stands for (commands on it prefill this). */
  range?: { address: string; size: number };
  expanded?: boolean;
}

const SECTIONS: { keys: string[]; label: string; icon: string }[] = [
  { keys: ['memslots', 'slots', 'memory', 'regions'], label: 'Memslots', icon: 'database' },
  { keys: ['stage2', 'stage2State', 'stats'], label: 'Stage 2 (KVM)', icon: 'layers' },
  { keys: ['swap', 'host'], label: 'Host memory and swap', icon: 'arrow-swap' },
  { keys: ['dirtyLog', 'dirty', 'dirtyPages'], label: 'Dirty log', icon: 'diff' },
  { keys: ['private', 'privateRanges'], label: 'Private ranges', icon: 'lock' },
  { keys: ['migration', 'lastMigration'], label: 'Migration', icon: 'cloud-upload' },
  { keys: ['events', 'recentEvents'], label: 'Recent events', icon: 'history' },
];

export function hexOf(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return '0x' + v.toString(16);
  if (typeof v === 'string' && /^0x[0-9a-f]+$/i.test(v)) return v.toLowerCase();
  return undefined;
}

export function sizeText(n: number): string {
  if (!Number.isFinite(n) || n < 0) return String(n);
  const units = [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const;
  for (const [u, b] of units) if (n >= b && n % (b / 4) === 0) return `${+(n / b).toFixed(2)} ${u}`;
  return `${n} B`;
}

function sizeOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && /^0x[0-9a-f]+$/i.test(v)) return Number(v);
  return undefined;
}

/** Converts the snapshot body into the view's top-level nodes. */
export function snapshotToNodes(body: unknown): HvNode[] {
  if (!body || typeof body !== 'object') return [{ label: 'No hypervisor state', description: 'the adapter returned nothing' }];
  const o = body as Record<string, unknown>;
  if (o.vm === false) {
    return [{ label: 'No VM', description: typeof o.message === 'string' ? o.message : 'plain MTE-capable RAM', icon: 'info', tooltip: 'Add a "vm" section to launch.json to run the guest in an emulated KVM VM (memslots, stage 2, swap, migration, private memory).' }];
  }
  const out: HvNode[] = [];
  const used = new Set<string>(['vm', 'message']);
  const summary: string[] = [];
  for (const k of ['name', 'type', 'protected', 'mte', 'debug']) {
    if (o[k] !== undefined && typeof o[k] !== 'object') { summary.push(`${k} ${String(o[k])}`); used.add(k); }
  }
  if (summary.length) out.push({ label: 'VM', description: summary.join(', '), icon: 'vm' });
  for (const sec of SECTIONS) {
    const key = sec.keys.find(k => o[k] !== undefined);
    if (!key) continue;
    used.add(key);
    out.push(sectionNode(sec.label, sec.icon, key, o[key]));
  }
  for (const [k, v] of Object.entries(o)) {
    if (used.has(k)) continue;
    out.push(genericNode(k, v));
  }
  return out;
}

function sectionNode(label: string, icon: string, key: string, v: unknown): HvNode {
  const node: HvNode = { label, icon, contextValue: `section.${key}`, expanded: true };
  if (Array.isArray(v)) {
    node.description = `${v.length}`;
    node.children = v.map((x, i) => itemNode(key, x, i));
    if (!v.length) node.children = [{ label: '(none)' }];
  } else if (v && typeof v === 'object') {
    node.children = Object.entries(v as Record<string, unknown>).map(([k, x]) => genericNode(k, x));
  } else {
    node.description = key === 'dirtyPages' ? `${String(v)} dirty page${v === 1 ? '' : 's'}` : String(v);
  }
  return node;
}

function itemNode(section: string, v: unknown, i: number): HvNode {
  if (!v || typeof v !== 'object') return { label: String(v) };
  const o = v as Record<string, unknown>;
  if (section === 'events' || section === 'recentEvents') {
    const where = [hexOf(o.gpa) ? `gpa ${hexOf(o.gpa)}` : undefined, hexOf(o.pc) ? `pc ${hexOf(o.pc)}` : undefined].filter(Boolean).join(' ');
    return {
      label: typeof o.kind === 'string' ? o.kind : `#${i}`, description: [where, typeof o.reason === 'string' ? o.reason : undefined].filter(Boolean).join(' — '),
      tooltip: typeof o.detail === 'string' ? o.detail : undefined, icon: 'debug-stackframe-dot',
      children: Object.entries(o).filter(([k]) => k !== 'kind').map(([k, x]) => genericNode(k, x)),
    };
  }
  const address = hexOf(o.gpa ?? o.address ?? o.base ?? o.start);
  const endAddr = hexOf(o.end);
  const size = sizeOf(o.size) ?? (address && endAddr ? Number(endAddr) - Number(address) : undefined);
  const name = typeof o.name === 'string' ? o.name : typeof o.id === 'number' ? `slot ${o.id}` : `#${i}`;
  const isSlot = ['memslots', 'slots', 'memory', 'regions'].includes(section);
  const isPrivate = section === 'private' || section === 'privateRanges';
  const node: HvNode = {
    label: isPrivate && address ? address : name,
    description: [address && !isPrivate ? address : undefined, size !== undefined ? sizeText(size) : undefined, typeof o.backing === 'string' ? o.backing : undefined]
      .filter(Boolean).join(' · '),
    contextValue: isSlot ? 'memslot' : isPrivate ? 'privateRange' : 'item',
    icon: isSlot ? 'symbol-array' : isPrivate ? 'lock' : undefined,
    children: Object.entries(o).filter(([k]) => !['name'].includes(k)).map(([k, x]) => genericNode(k, x)),
    tooltip: isSlot ? `memslot ${String(o.slot ?? o.id ?? i)}: ${address ?? '?'}${endAddr ? `–${endAddr}` : ''} (${typeof o.backing === 'string' ? o.backing : '?'})` : undefined,
  };
  if (address && size !== undefined) node.range = { address, size };
  return node;
}

function genericNode(k: string, v: unknown): HvNode {
  if (Array.isArray(v)) {
    return { label: k, description: `${v.length} item${v.length === 1 ? '' : 's'}`, children: v.length ? v.map((x, i) => x && typeof x === 'object' ? genericNode(`[${i}]`, x) : { label: String(x) }) : undefined };
  }
  if (v && typeof v === 'object') return { label: k, children: Object.entries(v as Record<string, unknown>).map(([a, b]) => genericNode(a, b)) };
  const isAddr = /gpa|address|base|hva|start|end/i.test(k);
  const text = isAddr && hexOf(v) ? hexOf(v)! : /size|bytes/i.test(k) && typeof v === 'number' ? sizeText(v) : v === null ? '—' : String(v);
  return { label: k, description: text };
}

/**
 * Parses a guest-physical range typed by the user: `0x40000000 64K`, `0x40000000+0x10000`,
 * `0x40000000-0x40010000`, `0x40000000, 16384`. Sizes take K/M/G suffixes. Errors say what is wrong.
 */
export function parseRange(text: string): { address: number; size: number } | { error: string } {
  const t = text.trim();
  const m = /^(0x[0-9a-f_]+|\d+)\s*(?:(-)\s*(0x[0-9a-f_]+|\d+)|(?:\+|,|\s)\s*(0x[0-9a-f_]+|\d+)\s*([kmg](?:i?b)?)?)$/i.exec(t);
  if (!m) return { error: 'Expected "ADDRESS SIZE" (e.g. 0x40000000 64K), "START-END" or "ADDRESS+SIZE".' };
  const n = (s: string): number => Number(s.replace(/_/g, ''));
  const address = n(m[1]);
  let size: number;
  if (m[2]) {
    const end = n(m[3]);
    if (end <= address) return { error: `The end ${m[3]} is not above the start ${m[1]}.` };
    size = end - address;
  } else {
    const mult = m[5] ? { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 }[m[5][0].toLowerCase() as 'k' | 'm' | 'g'] : 1;
    size = n(m[4]) * mult;
  }
  if (!Number.isSafeInteger(address) || !Number.isSafeInteger(size)) return { error: 'The range is too large.' };
  if (address % 4096 !== 0) return { error: `The address 0x${address.toString(16)} is not page aligned (4 KiB).` };
  if (size === 0 || size % 4096 !== 0) return { error: `The size ${size} is not a positive multiple of the 4 KiB page size.` };
  return { address, size };
}

/** One line from an action result: its message, else its scalar fields. */
export function summary(r: Record<string, unknown>): string {
  if (typeof r.message === 'string') return r.message;
  const parts = Object.entries(r).filter(([, v]) => v === null || typeof v !== 'object').map(([k, v]) => `${k} ${String(v)}`);
  return parts.join(', ') || 'done';
}

/** "3 swapped, 1 not present" from a swapOut result `{ pages: [{ page, gpa?, result }] }`. */
export function swapSummary(r: Record<string, unknown>): string {
  const pages = Array.isArray(r.pages) ? r.pages as { result?: unknown }[] : undefined;
  if (!pages) return summary(r);
  const counts = new Map<string, number>();
  for (const p of pages) { const k = String(p.result ?? '?'); counts.set(k, (counts.get(k) ?? 0) + 1); }
  return [...counts].map(([k, n]) => `${n} page${n === 1 ? '' : 's'} ${k}`).join(', ');
}

/**
 * A migrate result (`{ from, to, rounds: [...], pagesSent, withoutTags, verify: { pages, dataMismatches,
 * tagMismatches } | null }`) as one line, and whether the destination verified against the source
 * (undefined: verification was not run or the result has no verification).
 */
export function migrateSummary(r: Record<string, unknown>): { text: string; verified: boolean | undefined } {
  const v = r.verify && typeof r.verify === 'object' ? r.verify as Record<string, unknown> : undefined;
  const num = (x: unknown): number | undefined => typeof x === 'number' && Number.isFinite(x) ? x : undefined;
  const data = num(v?.dataMismatches), tags = num(v?.tagMismatches), pages = num(v?.pages);
  const verified = data !== undefined && tags !== undefined ? data === 0 && tags === 0 : typeof r.verified === 'boolean' ? r.verified : undefined;
  if (typeof r.from !== 'string' || typeof r.to !== 'string') return { text: summary(r), verified };
  const rounds = Array.isArray(r.rounds) ? r.rounds.length : num(r.rounds);
  const parts = [`${r.from} -> ${r.to}`];
  if (rounds !== undefined) parts.push(`${rounds} round${rounds === 1 ? '' : 's'}`);
  if (num(r.pagesSent) !== undefined) parts.push(`${r.pagesSent} page${r.pagesSent === 1 ? '' : 's'} sent${r.withoutTags === true ? ' WITHOUT tags' : ''}`);
  const check = data !== undefined && tags !== undefined
    ? `; verification: ${data} data and ${tags} tag mismatch${data + tags === 1 ? '' : 'es'}${pages !== undefined ? ` in ${pages} page${pages === 1 ? '' : 's'}` : ''}`
    : v === undefined && 'verify' in r ? '; not verified' : '';
  return { text: parts.join(', ') + check, verified };
}
