// `npm run bench:startup`: what every `pulumi preview` pays to evaluate this program, against the floor.
// Each row is the median wall time of fresh processes that run a program under Pulumi's mocks through the same
// harness (tools/bench/evaluate.mjs: plain JavaScript that loads only what the language host loads before a
// program) and exit: module loading, any compiling, and evaluating the program.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { ROOT, loadReviewConfig } from "./offline.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 11);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const ROWS: { label: string; nodeArgs: string[]; program: string }[] = [
  {
    label: "floor: a precompiled one-namespace program",
    nodeArgs: [],
    program: "tools/bench/one-namespace.js",
  },
  {
    label: "this program as Pulumi.yaml runs it (Node's type stripping)",
    nodeArgs: [],
    program: "index.ts",
  },
  {
    label: "this program with the TypeScript compiler at run time (the previous way)",
    nodeArgs: ["--import", "./tools/bench/typescript-at-runtime.mjs"],
    program: "index.ts",
  },
];

/** Runs all rows in turn, RUNS times, so that a busy moment of the machine hits every row alike. */
function measure(): number[][] {
  const config = JSON.stringify(loadReviewConfig("dev"));
  const times: number[][] = ROWS.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    ROWS.forEach((row, r) => {
      const out = spawnSync(
        process.execPath,
        [...row.nodeArgs, "tools/bench/evaluate.mjs", path.join(ROOT, row.program), config],
        { cwd: ROOT, encoding: "utf8" },
      );
      if (out.status !== 0) throw new Error(`${row.label}: ${out.stderr}`);
      times[r].push(Number(out.stdout.trim().split("\n").pop()));
    });
  }
  return times;
}

// Each round runs every row once, back to back: the ratio to the floor is taken within a round (a busy moment of
// a shared machine slows both), and the median of those ratios is reported next to the median times.
const times = measure();
console.log(`${RUNS} rounds of fresh processes, Node ${process.version}; medians of times and of per-round ratios:`);
ROWS.forEach((row, r) => {
  const ratio = median(times[r].map((t, i) => t / times[0][i])).toFixed(2);
  console.log(`  ${String(median(times[r])).padStart(6)} ms  ${ratio.padStart(5)}x  ${row.label}`);
});
