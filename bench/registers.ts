// Why 64-bit registers are a BigUint64Array: the same 7-instruction loop as closures over
// (a) bigint registers and (b) hi/lo Int32 pairs, in one process. Printed as MIPS and a ratio.
export function benchRegisters(iterations = 10_000_000): { bigint: number; hilo: number; ratio: number } {
  const M = 0xffffffffffffffffn;
  type Op = { f: (o: Op) => void; d: number; n: number; m: number; imm: number; immb: bigint };
  const run = (ops: Op[], done: () => boolean): number => {
    const t0 = process.hrtime.bigint();
    let n = 0;
    for (;;) {
      for (let i = 0; i < ops.length; i++) { const o = ops[i]; o.f(o); }
      n += ops.length;
      if (done()) break;
    }
    return n / (Number(process.hrtime.bigint() - t0) / 1e3);
  };
  const mk = (f: (o: Op) => void, d: number, n: number, m: number, imm: number): Op => ({ f, d, n, m, imm, immb: BigInt(imm) });

  const r = new BigUint64Array(32);
  let zb = 0;
  const bigOps = (): Op[] => {
    r[4] = BigInt(iterations); zb = 0;
    return [
      mk(o => { r[o.d] = BigInt.asUintN(64, r[o.n] + o.immb); }, 1, 1, 0, 1),
      mk(o => { r[o.d] = BigInt.asUintN(64, r[o.n] + r[o.m]); }, 2, 2, 1, 0),
      mk(o => { r[o.d] = r[o.n] & o.immb; }, 3, 2, 0, 0xff),
      mk(o => { r[o.d] = BigInt.asUintN(64, r[o.n] << o.immb); }, 5, 3, 0, 4),
      mk(o => { r[o.d] = r[o.n] ^ r[o.m]; }, 6, 5, 2, 0),
      mk(o => { r[o.d] = BigInt.asUintN(64, r[o.n] + r[o.m]); }, 7, 7, 6, 0),
      mk(o => { const v = (r[o.n] - o.immb) & M; r[o.d] = v; zb = v === 0n ? 1 : 0; }, 4, 4, 0, 1),
    ];
  };
  const lo = new Int32Array(32), hi = new Int32Array(32);
  let zh = 0;
  const hiloOps = (): Op[] => {
    lo[4] = iterations; hi[4] = 0; zh = 0;
    return [
      mk(o => { const s = (lo[o.n] >>> 0) + o.imm; lo[o.d] = s; hi[o.d] = hi[o.n] + (s > 0xffffffff ? 1 : 0); }, 1, 1, 0, 1),
      mk(o => { const s = (lo[o.n] >>> 0) + (lo[o.m] >>> 0); lo[o.d] = s; hi[o.d] = hi[o.n] + hi[o.m] + (s > 0xffffffff ? 1 : 0); }, 2, 2, 1, 0),
      mk(o => { lo[o.d] = lo[o.n] & o.imm; hi[o.d] = 0; }, 3, 2, 0, 0xff),
      mk(o => { const l = lo[o.n]; lo[o.d] = l << o.imm; hi[o.d] = (hi[o.n] << o.imm) | (l >>> (32 - o.imm)); }, 5, 3, 0, 4),
      mk(o => { lo[o.d] = lo[o.n] ^ lo[o.m]; hi[o.d] = hi[o.n] ^ hi[o.m]; }, 6, 5, 2, 0),
      mk(o => { const s = (lo[o.n] >>> 0) + (lo[o.m] >>> 0); lo[o.d] = s; hi[o.d] = hi[o.n] + hi[o.m] + (s > 0xffffffff ? 1 : 0); }, 7, 7, 6, 0),
      mk(o => { const s = (lo[o.n] >>> 0) - o.imm; lo[o.d] = s; const h = hi[o.n] - (s < 0 ? 1 : 0); hi[o.d] = h; zh = (s | 0) === 0 && h === 0 ? 1 : 0; }, 4, 4, 0, 1),
    ];
  };
  run(bigOps(), () => zb === 1); run(hiloOps(), () => zh === 1); // warm-up
  const bigint = run(bigOps(), () => zb === 1);
  const hilo = run(hiloOps(), () => zh === 1);
  return { bigint, hilo, ratio: bigint / hilo };
}
