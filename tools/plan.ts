// `npm run plan -- --stack <name> --base <git-ref> [--json]` (or `--base-render <dir>`): what `pulumi up` would do to
// each resource, offline. The base is rendered by its own render tool in a temporary git worktree, the head by this
// checkout's, each in its own process; tools/plan/plan.ts compares the two resources.json reports.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ResourceReport } from "./render.ts";
import { formatPlan, planJson } from "./plan/format.ts";
import { planChanges } from "./plan/plan.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const USAGE = "Usage: npm run plan -- --stack <name> (--base <git-ref> | --base-render <dir>) [--json]";

interface Args {
  stack: string;
  base?: string;
  baseRender?: string;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Partial<Args> = { json: false };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new Error(`${argv[i - 1]} needs a value. ${USAGE}`);
      return v;
    };
    if (argv[i] === "--stack") args.stack = value();
    else if (argv[i] === "--base") args.base = value();
    else if (argv[i] === "--base-render") args.baseRender = value();
    else if (argv[i] === "--json") args.json = true;
    else throw new Error(`Unknown argument ${argv[i]}. ${USAGE}`);
  }
  if (!args.stack) throw new Error(`Missing --stack. ${USAGE}`);
  if (!args.base === !args.baseRender) throw new Error(`Give exactly one of --base and --base-render. ${USAGE}`);
  return args as Args;
}

/** Runs a command; returns its stdout, or throws with what it printed. */
function run(cmd: string, args: string[], cwd: string, what: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`${what}: could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${what} failed (${cmd} ${args.join(" ")}):\n${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

export function readReport(dir: string): ResourceReport {
  const file = path.join(dir, "resources.json");
  if (!fs.existsSync(file))
    throw new Error(`No resources.json in ${dir} (write one with npm run render -- --out ${dir})`);
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

/** A stack that has no stack file on that side: nothing deployed (base) or everything to delete (head). */
const emptyReport = (stack: string): ResourceReport => ({ stack, resources: [], outputs: {} });

/** Renders `stack` with the render tool of the tree at `dir` (its own code and dependencies), into `out`. */
function renderTree(dir: string, stack: string, out: string, who: string): ResourceReport {
  if (!fs.existsSync(path.join(dir, `Pulumi.${stack}.yaml`))) {
    console.error(`${who}: no Pulumi.${stack}.yaml, so no resources`);
    return emptyReport(stack);
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  if (!pkg.scripts?.render)
    throw new Error(
      `${who} has no render tool (no "render" script in its package.json), so it cannot be planned from. ` +
        `Plan against a saved render instead: npm run plan -- --stack ${stack} --base-render <dir>`,
    );
  const r = spawnSync("npm", ["run", "--silent", "render", "--", "--stack", stack, "--out", out], {
    cwd: dir,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw new Error(`${who}: could not run npm: ${r.error.message}`);
  if (r.status !== 0)
    throw new Error(`${who}'s render failed (npm run render -- --stack ${stack}):\n${(r.stderr || r.stdout).trim()}`);
  for (const l of r.stderr.split("\n").filter(Boolean)) console.error(`${who}: ${l}`);
  return readReport(out);
}

/** Renders the stack as it was at `ref`, in a temporary worktree that is removed afterwards (also on failure). */
function renderGitRef(ref: string, stack: string, tmp: string): { report: ResourceReport; label: string } {
  const verified = spawnSync("git", ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (verified.status !== 0) {
    const shallow = spawnSync("git", ["rev-parse", "--is-shallow-repository"], { cwd: ROOT, encoding: "utf8" });
    throw new Error(
      shallow.stdout.trim() === "true"
        ? `Unknown git ref ${ref}: this checkout is shallow (as CI checkouts are). Fetch the history it needs, ` +
            `e.g. git fetch --depth=<n> origin <branch> (n commits back), or check out with fetch-depth: 0 in ` +
            `actions/checkout; or plan against a saved render with --base-render.`
        : `Unknown git ref ${ref} (git rev-parse found no such commit). Is it fetched? Try git fetch origin ${ref}.`,
    );
  }
  const sha = verified.stdout.trim();
  const label = `${ref} (${sha.slice(0, 12)})`;
  const tree = path.join(tmp, "base");
  run("git", ["worktree", "add", "--quiet", "--detach", tree, sha], ROOT, "git worktree add");
  try {
    if (fs.existsSync(path.join(tree, "package.json"))) {
      const lock = (dir: string) => {
        const f = path.join(dir, "package-lock.json");
        return fs.existsSync(f) ? fs.readFileSync(f) : undefined;
      };
      const baseLock = lock(tree);
      const headLock = lock(ROOT);
      if (baseLock && headLock && baseLock.equals(headLock) && fs.existsSync(path.join(ROOT, "node_modules"))) {
        fs.symlinkSync(fs.realpathSync(path.join(ROOT, "node_modules")), path.join(tree, "node_modules"), "dir");
      } else {
        console.error(`base ${label}: its package-lock.json differs from this checkout's: npm ci in the worktree`);
        run("npm", ["ci", "--no-audit", "--no-fund"], tree, `npm ci for ${label}`);
      }
    }
    return { report: renderTree(tree, stack, path.join(tmp, "base-render"), `base ${label}`), label };
  } finally {
    const removed = spawnSync("git", ["worktree", "remove", "--force", tree], { cwd: ROOT, encoding: "utf8" });
    if (removed.status !== 0) {
      fs.rmSync(tree, { recursive: true, force: true });
      spawnSync("git", ["worktree", "prune"], { cwd: ROOT });
    }
  }
}

export async function main(argv: string[]): Promise<string> {
  const args = parseArgs(argv);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "argo-plan-"));
  try {
    const base = args.baseRender
      ? { report: readReport(path.resolve(args.baseRender)), label: `render ${args.baseRender}` }
      : renderGitRef(args.base!, args.stack, tmp);
    const head = renderTree(ROOT, args.stack, path.join(tmp, "head-render"), "working tree");
    if (!base.report.resources.length && !head.resources.length)
      throw new Error(`Stack ${args.stack} has no stack file in the base nor in the working tree.`);
    if (base.report.stack && base.report.stack !== args.stack)
      throw new Error(`${base.label} is a render of stack ${base.report.stack}, not ${args.stack}`);
    const plan = planChanges(base.report, head);
    plan.stack = args.stack;
    const sources = { base: base.label, head: "working tree" };
    return args.json ? planJson(plan, sources) : formatPlan(plan, sources);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  main(process.argv.slice(2)).then(
    (out) => process.stdout.write(out),
    (e: Error) => {
      // A plan is information: exit non-zero only when it could not be made.
      console.error(e.message);
      process.exit(1);
    },
  );
}
