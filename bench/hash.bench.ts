// `node dist/bench/hash.bench.js [file]`: what the source hash costs the runner, and what a faster
// content hash would save (issue 13 item 4 names "a faster content hash (xxh3-128 or BLAKE3 from a
// well-kept package)" as the first place to look). Each step reads the same file through the
// engine's own reader (readChunks in src/engine/fingerprint.ts, which sha256File uses), in a child
// process of its own, and reports its CPU time; rounds interleave the steps (BENCH_REPEAT, default 5):
//
// - a plain read, hashing nothing: the part of every step that no hash removes;
// - SHA-256 as the engine computes it (node:crypto, OpenSSL; SHA-NI where the CPU has it);
// - BLAKE3 from hash-wasm (WebAssembly, no SIMD: slower than a native BLAKE3; the native
//   @napi-rs/blake-hash, measured once, is in BENCHMARKS.md, but `npm ci` cannot install it: its
//   1.3.6 names platform packages of that version that the registry does not have);
// - XXH3-128 from @node-rs/xxhash (not collision resistant: a file crafted to collide would be
//   taken for unchanged, which is why it is measured and not used).
//
// Without a file argument it hashes the export bench's customer11 CSV (BENCH_DIR, default .bench)
// when that exists, or else a file of seeded pseudo-random bytes (BENCH_HASH_MIB, default 788, the
// size of that CSV): a hash's speed does not depend on what the bytes say.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readChunks } from "../src/engine/fingerprint";
import { cpuMs, median, mulberry32, type StepResult } from "./support";

const DIR = path.resolve(process.env.BENCH_DIR ?? ".bench");
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 5));
const MIB = Number(process.env.BENCH_HASH_MIB ?? 788);

interface Hasher {
  update(b: Buffer): void;
  digest(): string;
}

const STEPS: Record<string, { label: string; make: () => Hasher | Promise<Hasher> }> = {
  read: {
    label: "plain read, no hash",
    make: () => ({ update: () => undefined, digest: () => "" }),
  },
  sha256: {
    label: "SHA-256, node:crypto (the engine's)",
    make: () => {
      const h = createHash("sha256");
      return { update: (b) => h.update(b), digest: () => h.digest("hex") };
    },
  },
  blake3: {
    label: "BLAKE3, hash-wasm (WebAssembly)",
    make: async () => {
      const { createBLAKE3 } = require("hash-wasm") as typeof import("hash-wasm");
      const h = await createBLAKE3();
      h.init();
      return { update: (b) => void h.update(b), digest: () => h.digest("hex") };
    },
  },
  xxh3: {
    label: "XXH3-128, @node-rs/xxhash (not collision resistant)",
    make: () => {
      const { xxh3 } = require("@node-rs/xxhash") as typeof import("@node-rs/xxhash");
      const h = xxh3.Xxh3.withSeed();
      return { update: (b) => h.update(b), digest: () => h.digest().toString(16) };
    },
  },
};

async function step(name: string, file: string): Promise<StepResult> {
  const hasher = await STEPS[name].make();
  const cpu0 = cpuMs();
  const started = performance.now();
  await readChunks(file, (chunk) => hasher.update(chunk));
  const detail = hasher.digest().slice(0, 16);
  return { ms: performance.now() - started, cpuMs: cpuMs() - cpu0, maxRssMb: 0, detail };
}

async function inputFile(): Promise<string> {
  const given = process.argv[2];
  if (given) return path.resolve(given);
  const rows = process.env.BENCH_ROWS ?? "5000000";
  const csv = path.join(DIR, `customer-${rows}-v1.csv`);
  if (
    await fs.stat(csv).then(
      () => true,
      () => false,
    )
  )
    return csv;
  const bin = path.join(DIR, `hash-input-${MIB}MiB.bin`);
  if (
    await fs.stat(bin).then(
      (s) => s.size === MIB << 20,
      () => false,
    )
  )
    return bin;
  await fs.mkdir(DIR, { recursive: true });
  const random = mulberry32(13);
  const handle = await fs.open(bin, "w");
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    for (let i = 0; i < MIB; i++) {
      for (let j = 0; j < chunk.length; j += 4) chunk.writeUInt32LE((random() * 2 ** 32) >>> 0, j);
      await handle.write(chunk);
    }
  } finally {
    await handle.close();
  }
  return bin;
}

async function main(): Promise<void> {
  const file = await inputFile();
  const bytes = (await fs.stat(file)).size;
  const results: Record<string, StepResult[]> = {};
  for (let round = 0; round < REPEAT; round++) {
    for (const name of Object.keys(STEPS)) {
      const out = execFileSync(process.execPath, [__filename, "--child", name, file], {
        encoding: "utf8",
      });
      (results[name] ??= []).push(JSON.parse(out.trim().split("\n").pop()!) as StepResult);
    }
  }
  const read = median(results.read, "cpuMs").cpuMs ?? 0;
  const sha = median(results.sha256, "cpuMs").cpuMs ?? 0;
  const lines = [
    `Source: ${path.basename(file)}, ${(bytes / 2 ** 20).toFixed(1)} MiB. Median CPU time of ${REPEAT} interleaved rounds (min–max in brackets).`,
    `Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), Node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")} at the end.`,
    "",
    "| step | CPU time (ms) | hash alone (ms, above the plain read) | MiB/s of the hash alone | CPU saved against SHA-256 (ms) | digest (first 16 hex) |",
    "| ---- | ------------: | ------------------------------------: | ----------------------: | -----------------------------: | --------------------- |",
  ];
  for (const [name, { label }] of Object.entries(STEPS)) {
    const rs = results[name];
    const m = median(rs, "cpuMs").cpuMs ?? 0;
    const cpus = rs.map((r) => r.cpuMs ?? 0);
    const alone = m - read;
    const rate = name === "read" ? "" : (bytes / 2 ** 20 / (alone / 1000)).toFixed(0);
    lines.push(
      `| ${label} | ${m.toFixed(0)} (${Math.min(...cpus).toFixed(0)}–${Math.max(...cpus).toFixed(0)}) | ${name === "read" ? "" : alone.toFixed(0)} | ${rate} | ${name === "read" || name === "sha256" ? "" : (sha - m).toFixed(0)} | ${rs[0].detail ?? ""} |`,
    );
  }
  const text = lines.join("\n") + "\n";
  process.stdout.write(text);
  await fs.mkdir(DIR, { recursive: true });
  await fs.writeFile(path.join(DIR, "hash-results.md"), text);
}

if (process.argv[2] === "--child") {
  void step(process.argv[3], process.argv[4]).then((r) => console.log(JSON.stringify(r)));
} else {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
