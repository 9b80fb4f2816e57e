// The generated admission policies as objects: their shape, the stack setting behind the bindings, the Workflow
// status rule, and what keeps them evaluable by the API server (standard CEL, cost linear in the template's size).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { RULES_POLICY_NAME, STATUS_POLICY_NAME } from "../../components/policy/admission.ts";
import { RULES } from "../../components/policy/rules/index.ts";
import { loadStackConfig, runProgram } from "../../tools/offline.ts";
import { object, objects, withOverrides } from "../support.ts";
import type { AdmissionRequest } from "./admission-engine.ts";
import { calledFunctions, evaluatePolicy } from "./admission-engine.ts";
import { CONTROLLER, CORPUS_DIR, DATA_PLANE, UI_AUTHOR, createTemplate, renderedPolicies } from "./support.ts";

const smoke = YAML.parse(
  fs.readFileSync(path.join(import.meta.dirname, "..", "..", "templates", "platform-smoke-test.yaml"), "utf8"),
);

/** A Workflow submitted from the smoke-test template, as the controller leaves it after a failed run. */
function failedWorkflow() {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { name: "platform-smoke-test-x7k2p", namespace: DATA_PLANE },
    spec: {
      workflowTemplateRef: { name: "platform-smoke-test" },
      arguments: { parameters: [{ name: "message", value: "hello" }] },
    },
    status: {
      phase: "Failed",
      storedWorkflowTemplateSpec: {
        ...structuredClone(smoke.spec),
        workflowTemplateRef: { name: "platform-smoke-test" },
        arguments: { parameters: [{ name: "message", value: "hello" }] },
        shutdown: "Stop",
      },
      storedTemplates: { "namespaced/platform-smoke-test/main": structuredClone(smoke.spec.templates[0]) },
      nodes: { "platform-smoke-test-x7k2p": { phase: "Failed", type: "Pod", templateName: "main" } },
    },
  };
}

const workflowRequest = (
  operation: "CREATE" | "UPDATE",
  object: any,
  oldObject?: any,
  username = UI_AUTHOR,
): AdmissionRequest => ({ operation, resource: "workflows", object, oldObject, username });

/** Messages of the status policy's refusals (none: admitted). */
async function statusRefusals(req: AdmissionRequest): Promise<string[]> {
  const { status } = await renderedPolicies();
  const verdict = evaluatePolicy(status, req);
  for (const f of verdict.failures) assert.ok(!f.error && !f.messageError, f.error ?? f.messageError);
  return verdict.failures.map((f) => f.message);
}

describe("template admission policies", () => {
  it("are admissionregistration.k8s.io/v1 objects for argoproj.io in the data plane only, failing closed", async () => {
    const { run } = await renderedPolicies();
    for (const name of [RULES_POLICY_NAME, STATUS_POLICY_NAME]) {
      const policy = object(run, "ValidatingAdmissionPolicy", name);
      assert.equal(policy.apiVersion, "admissionregistration.k8s.io/v1");
      assert.equal(policy.spec.failurePolicy, "Fail");
      assert.deepEqual(policy.spec.matchConstraints.namespaceSelector, {
        matchLabels: { "kubernetes.io/metadata.name": "data-plane" },
      });
      const [rule] = policy.spec.matchConstraints.resourceRules;
      assert.deepEqual(
        [rule.apiGroups, rule.apiVersions, rule.operations],
        [["argoproj.io"], ["v1alpha1"], ["CREATE", "UPDATE"]],
      );
      const binding = object(run, "ValidatingAdmissionPolicyBinding", name);
      assert.equal(binding.spec.policyName, name);
    }
    const rules = object(run, "ValidatingAdmissionPolicy", RULES_POLICY_NAME).spec;
    assert.deepEqual(rules.matchConstraints.resourceRules[0].resources, [
      "workflowtemplates",
      "workflows",
      "cronworkflows",
    ]);
    assert.equal(rules.matchConditions, undefined, "template rules apply to every requester");
    assert.equal(rules.validations.length, RULES.length);
    const status = object(run, "ValidatingAdmissionPolicy", STATUS_POLICY_NAME).spec;
    assert.deepEqual(status.matchConstraints.resourceRules[0].resources, ["workflows"]);
    assert.match(
      status.matchConditions[0].expression,
      /system:serviceaccount:control-plane:controller-service-account/,
    );
    // The policy follows the configured namespaces.
    const moved = (await renderedPolicies({ dataPlaneNamespace: "runs", controlPlaneNamespace: "argo" })).status;
    assert.deepEqual(moved.matchConstraints.namespaceSelector.matchLabels, { "kubernetes.io/metadata.name": "runs" });
    assert.match(moved.matchConditions[0].expression, /system:serviceaccount:argo:controller-service-account/);
  });

  it("binds both policies with the validationActions templatePolicyAction asks for", async () => {
    const actions = async (overrides: Record<string, string>) => {
      const { run } = await renderedPolicies(overrides);
      return objects(run, "ValidatingAdmissionPolicyBinding").map((b) => b.spec.validationActions);
    };
    assert.deepEqual(await actions({}), [["Deny"], ["Deny"]], "Deny by default");
    assert.deepEqual(await actions({ templatePolicyAction: "Warn" }), [
      ["Warn", "Audit"],
      ["Warn", "Audit"],
    ]);
    assert.deepEqual(await actions({ templatePolicyAction: "Audit" }), [["Audit"], ["Audit"]]);
  });

  it("refuses a bad templatePolicyAction before registering anything, naming the key, the value and what is allowed", async () => {
    await assert.rejects(
      runProgram(withOverrides(loadStackConfig("dev"), { templatePolicyAction: "deny" })),
      (e: any) => {
        assert.match(e.message, /argo-platform:templatePolicyAction = "deny": must be Deny, Warn or Audit/);
        assert.deepEqual(e.registered, []);
        return true;
      },
    );
  });

  describe("the Workflow status rule", () => {
    it("admits a submission from a template and the controller's first status write", async () => {
      const wf = failedWorkflow();
      const submitted = { ...wf, status: undefined };
      assert.deepEqual(await statusRefusals(workflowRequest("CREATE", submitted)), []);
      const { rules } = await renderedPolicies();
      assert.deepEqual(evaluatePolicy(rules, workflowRequest("CREATE", submitted)).failures, []);
      assert.deepEqual(await statusRefusals(workflowRequest("UPDATE", wf, submitted, CONTROLLER)), []);
    });

    it("refuses creating a Workflow with a forged status.storedWorkflowTemplateSpec (archived Retry does this)", async () => {
      const forged = failedWorkflow();
      forged.status.storedWorkflowTemplateSpec.templates[0].container.securityContext = { privileged: true };
      delete (forged.status as any).storedTemplates;
      const [message] = await statusRefusals(workflowRequest("CREATE", forged));
      assert.match(message, /status\.storedWorkflowTemplateSpec.*only the workflow controller may write/);
      assert.match(message, /use Resubmit without "memoized" instead/);
    });

    it("refuses creating a Workflow with status.storedTemplates (memoized Resubmit does this)", async () => {
      const resubmitted = failedWorkflow();
      delete (resubmitted.status as any).storedWorkflowTemplateSpec;
      const [message] = await statusRefusals(workflowRequest("CREATE", resubmitted));
      assert.match(message, /\(status\.storedTemplates\)/);
    });

    it("refuses an update that changes status.storedTemplates", async () => {
      const old = failedWorkflow();
      const changed = structuredClone(old);
      changed.status.storedTemplates["namespaced/platform-smoke-test/main"].container.command = ["sh", "-c", "id"];
      assert.match(
        (await statusRefusals(workflowRequest("UPDATE", changed, old)))[0],
        /status\.storedTemplates may be changed only by the workflow controller/,
      );
    });

    it("refuses an update that adds or changes status.storedWorkflowTemplateSpec beyond shutdown and arguments", async () => {
      const old = failedWorkflow();
      const changed = structuredClone(old);
      changed.status.storedWorkflowTemplateSpec.templates[0].container.image = "docker.io/attacker/image:1";
      assert.equal((await statusRefusals(workflowRequest("UPDATE", changed, old))).length, 1);
      const fresh = { ...old, status: { phase: "Running", storedTemplates: old.status.storedTemplates } };
      assert.equal((await statusRefusals(workflowRequest("UPDATE", old, fresh))).length, 1, "filled in after creation");
    });

    it("admits Retry: shutdown cleared and arguments replaced in the stored spec, nodes reset", async () => {
      const old = failedWorkflow();
      const retried: any = structuredClone(old);
      delete retried.status.storedWorkflowTemplateSpec.shutdown;
      retried.status.storedWorkflowTemplateSpec.arguments = { parameters: [{ name: "message", value: "again" }] };
      retried.spec.arguments = { parameters: [{ name: "message", value: "again" }] };
      retried.status.nodes = {};
      retried.status.phase = "";
      assert.deepEqual(await statusRefusals(workflowRequest("UPDATE", retried, old)), []);
    });

    it("admits Stop, Suspend and Resume", async () => {
      const running: any = failedWorkflow();
      running.status.phase = "Running";
      delete running.status.storedWorkflowTemplateSpec.shutdown;
      const stopped = structuredClone(running);
      stopped.spec.shutdown = "Stop";
      const suspended = structuredClone(running);
      suspended.spec.suspend = true;
      const resumed = structuredClone(suspended);
      delete resumed.spec.suspend;
      resumed.status.nodes["platform-smoke-test-x7k2p"].phase = "Succeeded";
      for (const [next, prev] of [
        [stopped, running],
        [suspended, running],
        [resumed, suspended],
      ])
        assert.deepEqual(await statusRefusals(workflowRequest("UPDATE", next, prev)), []);
    });

    it("admits the controller's own requests, while the template rules still apply to them", async () => {
      const old = failedWorkflow();
      const rewritten = structuredClone(old);
      rewritten.status.storedTemplates["namespaced/platform-smoke-test/main"].container.image = "x";
      const { status, rules } = await renderedPolicies();
      assert.equal(evaluatePolicy(status, workflowRequest("CREATE", old, undefined, CONTROLLER)).matched, false);
      assert.equal(evaluatePolicy(status, workflowRequest("UPDATE", rewritten, old, CONTROLLER)).matched, false);
      const hostNetwork = { ...old, spec: { ...old.spec, hostNetwork: true } };
      assert.equal(
        evaluatePolicy(rules, workflowRequest("CREATE", hostNetwork, undefined, CONTROLLER)).failures.length,
        1,
      );
    });
  });

  it("explains every rule to template authors in the README", () => {
    const readme = fs.readFileSync(path.join(import.meta.dirname, "..", "..", "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## For template authors"), readme.indexOf("## Layout"));
    for (const rule of RULES) assert.ok(section.includes(`\`${rule.id}\``), rule.id);
  });

  describe("evaluability", () => {
    it("uses only standard CEL and optional types, which the API server enables (no Kubernetes library functions)", async () => {
      const { rules, status } = await renderedPolicies();
      // Standard macros and functions (cel-spec), plus orValue/hasValue of the optional-types extension.
      const allowed = new Set([
        "has",
        "all",
        "exists",
        "filter",
        "size",
        "string",
        "type",
        "startsWith",
        "orValue",
        "hasValue",
      ]);
      const expressions = [rules, status].flatMap((spec) => [
        ...(spec.variables ?? []).map((v: any) => v.expression),
        ...(spec.matchConditions ?? []).map((m: any) => m.expression),
        ...spec.validations.flatMap((v: any) => [v.expression, v.messageExpression]),
      ]);
      assert.ok(expressions.length > 50);
      const used = new Set(expressions.flatMap((e: string) => [...calledFunctions(e)]));
      assert.deepEqual(
        [...used].filter((f) => !allowed.has(f)),
        [],
      );
    });

    it("costs about twice as much for a template twice as large: linear, never quadratic", async () => {
      const { rules } = await renderedPolicies();
      const large = YAML.parse(fs.readFileSync(path.join(CORPUS_DIR, "large-200-templates.yaml"), "utf8"));
      const half = structuredClone(large);
      half.spec.templates = [large.spec.templates[0], ...large.spec.templates.slice(1, 101)];
      half.spec.templates[0].steps = large.spec.templates[0].steps.slice(0, 100);
      const reads = (body: any) => evaluatePolicy(rules, createTemplate(body)).reads;
      const [full, small] = [reads(large), reads(half)];
      const ratio = full / small;
      assert.ok(ratio > 1.8 && ratio < 2.2, `reads ${small} -> ${full} (x${ratio.toFixed(2)})`);
      // README's cost note: field reads are a lower bound of the API server's cost units; the runtime budget of one
      // policy evaluation is 10,000,000 (k8s.io/apiserver celconfig.RuntimeCELCostBudget).
      assert.ok(full * 10 < 10_000_000, `${full} field reads for 200 templates of 4 containers`);
    });
  });
});
