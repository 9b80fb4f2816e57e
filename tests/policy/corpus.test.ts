// The corpus against both enforcers: the repository check and the generated admission policy reach the expected
// verdict for every entry, and the same platform rule ids as each other wherever Argo's schema admits the template.
import * as assert from "node:assert/strict";
import { TEMPLATES_DIR, loadTemplates, templateProblems } from "../../components/argo/workflow-templates.ts";
import { RULES } from "../../components/policy/rules/index.ts";
import type { CorpusEntry } from "./support.ts";
import { DATA_PLANE, corpus, createTemplate, refusedRules, renderedPolicies } from "./support.ts";

const entries = corpus();

function repositoryVerdict(e: CorpusEntry) {
  const problems = templateProblems(e.body);
  return {
    schema: problems.some((p) => p.source === "schema"),
    rules: [...new Set(problems.filter((p) => p.source !== "schema").map((p) => p.source))].sort(),
    problems,
  };
}

/** Every value found under `key` anywhere in `value`. */
function valuesOf(value: unknown, key: string, found: unknown[] = []): unknown[] {
  if (Array.isArray(value)) value.forEach((v) => valuesOf(v, key, found));
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) {
      if (k === key) found.push(v);
      valuesOf(v, key, found);
    }
  return found;
}

describe("template policy corpus", () => {
  it("holds at least 60 templates covering every template type, feature and rule", () => {
    assert.ok(entries.length >= 60, `${entries.length} entries`);
    const all = entries.map((e) => e.body);
    for (const kind of ["container", "script", "resource", "steps", "dag", "suspend", "http", "containerSet", "data"])
      assert.ok(
        all.some((b) => (b.spec.templates ?? []).some((t: any) => t[kind] !== undefined)),
        `a ${kind} template`,
      );
    for (const feature of ["withItems", "withParam", "withSequence", "when", "onExit", "volumes", "sidecars"])
      assert.ok(
        all.some((b) => valuesOf(b, feature).length),
        feature,
      );
    assert.ok(
      all.some((b) => valuesOf(b, "initContainers").length),
      "initContainers",
    );
    assert.ok(
      all.some((b) => valuesOf(b, "artifacts").length),
      "artifacts",
    );
    assert.ok(
      all.some((b) => valuesOf(b, "retryStrategy").some((r: any) => r.limit === 10)),
      "a numeric retry limit",
    );
    const values = all.flatMap((b) => valuesOf(b, "value"));
    assert.ok(
      values.some((v) => typeof v === "number") && values.some((v) => typeof v === "boolean"),
      "typed parameters",
    );
    // Every rule is broken on its own by at least one entry, and every entry names only known rules.
    const ids = RULES.map((r) => r.id);
    for (const e of entries) for (const id of e.rules) assert.ok(ids.includes(id), `${e.file}: unknown rule ${id}`);
    for (const id of ids)
      assert.ok(
        entries.some((e) => e.rules.length === 1 && e.rules[0] === id && !e.schema),
        `an entry breaking ${id} alone`,
      );
    assert.ok(entries.filter((e) => e.file.startsWith("argo-")).length >= 20, "Argo's own examples");
  });

  describe("the repository check", () => {
    for (const e of entries) {
      it(`${e.file}: ${e.schema ? "schema " : ""}${e.rules.length ? e.rules.join(", ") : "admitted"}`, () => {
        const verdict = repositoryVerdict(e);
        assert.equal(verdict.schema, e.schema, verdict.problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
        assert.deepEqual(verdict.rules, e.rules, verdict.problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
        // Only Argo's schema speaks of it; every platform message says what to change and names its rule.
        for (const p of verdict.problems) {
          if (p.source === "schema") assert.ok(!p.message.includes("platform rule"), p.message);
          else assert.ok(!p.message.includes("Argo v4 schema") && p.message.endsWith(`(platform rule ${p.source})`));
        }
      });
    }
  });

  describe("the admission policy, as the UI author's requests", () => {
    for (const e of entries) {
      it(`${e.file}: ${e.rules.length ? e.rules.join(", ") : "admitted"}`, async () => {
        const { rules } = await renderedPolicies();
        assert.deepEqual(refusedRules(rules, createTemplate(e.body)), e.rules);
      });
    }
  });

  it("reports the same platform rules from both enforcers for every template Argo's schema admits", async () => {
    const { rules } = await renderedPolicies();
    let compared = 0;
    for (const e of entries) {
      const repository = repositoryVerdict(e);
      if (repository.schema) continue;
      assert.deepEqual(refusedRules(rules, createTemplate(e.body)), repository.rules, e.file);
      compared++;
    }
    assert.ok(compared >= 60, `${compared} compared`);
  });

  it("judges a Workflow's spec and a CronWorkflow's workflowSpec as it judges a WorkflowTemplate's spec", async () => {
    const { rules } = await renderedPolicies();
    for (const e of entries) {
      const metadata = { name: e.body.metadata.name, namespace: DATA_PLANE };
      const asTemplate = refusedRules(rules, createTemplate(e.body));
      const asWorkflow = refusedRules(rules, {
        ...createTemplate(e.body),
        resource: "workflows",
        object: { apiVersion: "argoproj.io/v1alpha1", kind: "Workflow", metadata, spec: e.body.spec },
      });
      const asCron = refusedRules(rules, {
        ...createTemplate(e.body),
        resource: "cronworkflows",
        object: {
          apiVersion: "argoproj.io/v1alpha1",
          kind: "CronWorkflow",
          metadata,
          spec: { schedules: ["0 * * * *"], workflowSpec: e.body.spec },
        },
      });
      assert.deepEqual(asWorkflow, asTemplate, `${e.file} as a Workflow`);
      assert.deepEqual(asCron, asTemplate, `${e.file} as a CronWorkflow`);
    }
  });

  it("names the template, the field and what to change in what the UI shows", async () => {
    const { rules } = await renderedPolicies();
    const { evaluatePolicy } = await import("./admission-engine.ts");
    const sidecar = entries.find((e) => e.file === "argo-sidecar.yaml")!;
    const messages = evaluatePolicy(rules, createTemplate(sidecar.body)).failures.map((f) => f.message);
    assert.ok(
      messages.some((m) =>
        /^template "sidecar-example": sidecar "influxdb": set securityContext\.allowPrivilegeEscalation to false/.test(
          m,
        ),
      ),
      messages.join("\n"),
    );
    const spec = entries.find((e) => e.file === "bad-service-account-spec.yaml")!;
    assert.match(
      evaluatePolicy(rules, createTemplate(spec.body)).failures[0].message,
      /^spec\.serviceAccountName is "default": set it to data-plane-service-account or remove it/,
    );
  });

  it("admits the shipped templates/ with both enforcers", async () => {
    const { rules } = await renderedPolicies();
    const shipped = loadTemplates(TEMPLATES_DIR);
    assert.ok(shipped.length >= 2);
    for (const t of shipped) {
      assert.deepEqual(templateProblems(t.body), [], t.file);
      assert.deepEqual(refusedRules(rules, createTemplate(t.body)), [], t.file);
    }
  });
});
