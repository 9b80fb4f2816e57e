// `npm run bench:startup`: what every `pulumi preview` pays to evaluate this program, against the floor.
// Each row is the median wall time of fresh processes, from spawn to exit (so it includes writing the compile cache
// at exit), that run a program under Pulumi's mocks through the same harness (tools/bench/evaluate.mjs: plain
// JavaScript that loads only what the language host loads before a program) with the node arguments the row names.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT, hostNodeArgs, loadReviewConfig, projectCopy } from "./offline.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 11);
/** The file the Tilt-loop row edits before each run: a component of middling size. */
const EDITED = "components/argo/server.ts";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

interface Row {
  label: string;
  nodeArgs: string[];
  program: string;
  /**
   * The compile cache the runs use, in the bench's temporary directory: "filled" (one directory for the row, filled
   * by an unmeasured run first) or "empty" (a new directory for every run); none: the cache is off.
   */
  cache?: "filled" | "empty";
  /** Where the run starts (the language host starts node in the project directory). */
  cwd?: string;
  /** Runs before each measured run. */
  before?: () => void;
  /** Whether its measured runs set up Node's type stripper; the bench fails if one does otherwise. */
  strips: boolean;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "bench-startup-"));
let runs = 0;

// A copy of the project for the row that edits one of its files.
const copy = projectCopy();
let edits = 0;

const host = hostNodeArgs();
const ROWS: Row[] = [
  {
    label: "floor: a precompiled one-namespace program",
    nodeArgs: [],
    program: "tools/bench/one-namespace.js",
    strips: false,
  },
  {
    label: "this program as Pulumi.yaml runs it, no file changed since the last run",
    nodeArgs: host,
    program: "index.ts",
    cache: "filled",
    strips: false,
  },
  {
    label: `  ... after an edit to one file (${EDITED}), as in the Tilt loop`,
    nodeArgs: host,
    program: path.join(copy.root, "index.ts"),
    cwd: copy.root,
    cache: "filled",
    before: () => fs.appendFileSync(path.join(copy.root, EDITED), `// bench edit ${++edits}\n`),
    strips: true,
  },
  {
    label: "  ... first run after npm ci or a fresh clone (empty compile cache)",
    nodeArgs: host,
    program: "index.ts",
    cache: "empty",
    strips: true,
  },
  {
    label: "  ... with the compile cache turned off (NODE_DISABLE_COMPILE_CACHE=1): type stripping alone",
    nodeArgs: host,
    program: "index.ts",
    strips: true,
  },
  {
    label: "this program with the TypeScript compiler at run time (before issue 13)",
    nodeArgs: ["--import", "./tools/bench/typescript-at-runtime.mjs"],
    program: "index.ts",
    strips: false,
  },
  {
    label: "for reference: the floor with the same compile cache, warm",
    nodeArgs: host,
    program: "tools/bench/one-namespace.js",
    cache: "filled",
    strips: false,
  },
];

/** One fresh process for `row`: its wall time in ms, and whether it set up Node's type stripper. */
function runOnce(row: Row, r: number, config: string): { ms: number; typeStripper: boolean } {
  row.before?.();
  // compile-cache.mjs would use (and fill) the project's own cache: NODE_COMPILE_CACHE, which Node reads before the
  // preload runs, points every row at a directory of the bench's instead, or the cache is off.
  const cache = { filled: `row-${r}`, empty: `row-${r}-run-${++runs}` }[row.cache ?? "filled"];
  const env: NodeJS.ProcessEnv = row.cache
    ? { ...process.env, NODE_COMPILE_CACHE: path.join(work, cache), NODE_DISABLE_COMPILE_CACHE: undefined }
    : { ...process.env, NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: "1" };
  const cwd = row.cwd ?? ROOT;
  const start = performance.now();
  const out = spawnSync(
    process.execPath,
    [...row.nodeArgs, path.join(ROOT, "tools/bench/evaluate.mjs"), path.resolve(cwd, row.program), config],
    { cwd, env, encoding: "utf8" },
  );
  const ms = performance.now() - start;
  if (out.status !== 0) throw new Error(`${row.label}: ${out.stderr}`);
  return { ms, typeStripper: JSON.parse(out.stdout.trim().split("\n").pop()!).typeStripper };
}

/** Runs all rows in turn, RUNS times, so that a busy moment of the machine hits every row alike. */
function measure(): number[][] {
  const config = JSON.stringify(loadReviewConfig("dev"));
  ROWS.forEach((row, r) => row.cache === "filled" && runOnce(row, r, config));
  const times: number[][] = ROWS.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    ROWS.forEach((row, r) => {
      const { ms, typeStripper } = runOnce(row, r, config);
      // A row whose runs do not do what its label says would report the wrong thing.
      if (typeStripper !== row.strips) {
        throw new Error(`${row.label}: a run ${typeStripper ? "stripped" : "did not strip"} TypeScript`);
      }
      times[r].push(ms);
    });
  }
  return times;
}

try {
  // Each round runs every row once, back to back: the ratio to the floor is taken within a round (a busy moment
  // of a shared machine slows both), and the median of those ratios is reported next to the median times.
  const times = measure();
  console.log(
    `${RUNS} rounds of fresh processes, Node ${process.version}; medians of wall times and of per-round ratios:`,
  );
  ROWS.forEach((row, r) => {
    const ratio = median(times[r].map((t, i) => t / times[0][i])).toFixed(2);
    console.log(`  ${String(Math.round(median(times[r]))).padStart(6)} ms  ${ratio.padStart(5)}x  ${row.label}`);
  });
} finally {
  fs.rmSync(work, { recursive: true, force: true });
  copy.remove();
}
