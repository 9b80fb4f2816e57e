// `npm run bench:startup`: what every `pulumi preview` pays to evaluate this program, next to a one-resource program.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { ROOT } from "./offline";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median wall time (ms) of a fresh process that loads `program` with the given ts-node hook. */
function measure(hook: string, program: string): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const out = spawnSync(
      process.execPath,
      ["--require", hook, path.join(ROOT, "tools/bench/evaluate.ts"), program, "dev"],
      { cwd: ROOT, encoding: "utf8" },
    );
    if (out.status !== 0) throw new Error(out.stderr);
    times.push(Number(out.stdout.trim().split("\n").pop()));
  }
  return median(times);
}

const rows: [string, string, string][] = [
  [
    "this program, transpile only (as Pulumi.yaml runs it)",
    "ts-node/register/transpile-only",
    path.join(ROOT, "index.ts"),
  ],
  [
    "one-resource program, transpile only",
    "ts-node/register/transpile-only",
    path.join(ROOT, "tools/bench/one-resource.ts"),
  ],
  ["this program, type-checked (Pulumi's default)", "ts-node/register", path.join(ROOT, "index.ts")],
];
console.log(`median of ${RUNS} fresh processes, Node ${process.version}, under Pulumi's mocks:`);
for (const [label, hook, program] of rows) console.log(`  ${String(measure(hook, program)).padStart(6)} ms  ${label}`);
