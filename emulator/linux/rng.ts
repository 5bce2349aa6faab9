// Deterministic random bytes (AT_RANDOM, getrandom, /dev/urandom, the IRG seed): SplitMix64 seeded
// from the machine's --seed, so every run with the same seed sees the same bytes.

const M64 = (1n << 64n) - 1n;

export class SeededRandom {
  private state: bigint;
  constructor(seed: number | bigint) { this.state = BigInt.asUintN(64, BigInt(seed)); }

  next64(): bigint {
    this.state = (this.state + 0x9e3779b97f4a7c15n) & M64;
    let z = this.state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
    return z ^ (z >> 31n);
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 8) {
      let v = this.next64();
      for (let k = 0; k < 8 && i + k < n; k++) { out[i + k] = Number(v & 0xffn); v >>= 8n; }
    }
    return out;
  }

  get seedState(): bigint { return this.state; }
  set seedState(v: bigint) { this.state = v; }
}
