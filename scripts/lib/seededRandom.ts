// The one seeded generator of the tests, the scripts and the demo (mulberry32: small, fast, and good
// enough for sample data, fault plans and kill moments): the same seed gives the same sequence, so a
// failing fault run or crash check can be replayed from its seed and the demo writes the same bytes.
// Pure and dependency-free, so the test servers and examples/ may import it too.

/** Draws in [0, 1) from `seed` (taken as an unsigned 32-bit integer). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
