// Day 2: the changes a platform team makes to a running stack, each planned offline by the providers' rules. None
// may replace or delete what holds the platform's state or identity, none may create an object that already exists
// under another URN, and none may stop `pulumi up` on a protected resource. And a destroy followed by an up.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ProgramRun } from "../tools/offline.ts";
import { loadReviewConfig, runProgram } from "../tools/offline.ts";
import type { Plan, PlanStep } from "../tools/plan/plan.ts";
import { planChanges } from "../tools/plan/plan.ts";
import type { ResourceReport } from "../tools/render.ts";
import { resourceReport } from "../tools/render.ts";
import { copyTemplate, onDefaultProvider, run, withOverrides, withTemplates } from "./support.ts";

const T = {
  ns: "kubernetes:core/v1:Namespace",
  crd: "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
  cm: "kubernetes:core/v1:ConfigMap",
  secret: "kubernetes:core/v1:Secret",
  sts: "kubernetes:apps/v1:StatefulSet",
  deploy: "kubernetes:apps/v1:Deployment",
  pdb: "kubernetes:policy/v1:PodDisruptionBudget",
  binding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
  template: "kubernetes:argoproj.io/v1alpha1:WorkflowTemplate",
  password: "random:index/randomPassword:RandomPassword",
  db: "postgresql:index/database:Database",
  role: "postgresql:index/role:Role",
};
const CONTROLLER_CONFIG = "control-plane/workflow-controller-configmap";
const STATEFUL = new Set(["control-plane/archive-postgres", "control-plane/artifact-store"]);

/**
 * What must never be replaced or deleted on day 2, each with the provider rule that would make it happen:
 * namespaces (a delete takes every object in them), CRDs (a delete takes every object of the kind, cluster-wide),
 * the controller ConfigMap (both binaries die without it; a data change replaces it unless the provider makes
 * ConfigMaps mutable, diff.go), the archive database (postgresql Database: encoding/template/collation replace),
 * and the in-cluster StatefulSets whose claims hold the archive and the artifacts.
 */
function isState(s: PlanStep): boolean {
  return (
    s.type === T.ns ||
    s.type === T.crd ||
    s.type === T.db ||
    (s.type === T.cm && s.name === CONTROLLER_CONFIG) ||
    (s.type === T.sts && STATEFUL.has(s.name))
  );
}

function assertSafe(plan: Plan, allow: (s: PlanStep) => boolean = () => false) {
  const destructive = plan.steps.filter(
    (s) => (s.action === "replace" || s.action === "delete") && isState(s) && !allow(s),
  );
  assert.deepEqual(
    destructive.map((s) => `${s.action} ${s.type} ${s.name}`),
    [],
    "nothing that holds state or identity is replaced or deleted",
  );
  assert.deepEqual(
    plan.steps.filter((s) => s.blocked).map((s) => `${s.name}: ${s.blocked}`),
    [],
    "no step stops pulumi up",
  );
  assert.deepEqual(
    plan.steps.filter((s) => s.warnings.some((w) => /AlreadyExists/.test(w))).map((s) => s.name),
    [],
    "no create meets an object that exists under another URN (creates run before deletes)",
  );
}

const actions = (plan: Plan) => plan.steps.map((s) => `${s.action} ${s.type} ${s.name}`).sort();
const planOf = (base: ProgramRun, head: ProgramRun) => planChanges(resourceReport(base), resourceReport(head));

for (const stack of ["dev", "prod"]) {
  describe(`day 2 on ${stack}`, () => {
    it("archiveTTL 30d → 14d: the ConfigMap is updated in place and both binaries roll", async () => {
      const plan = planOf(await run(stack), await run(stack, { archiveTTL: "14d" }));
      assertSafe(plan);
      assert.deepEqual(actions(plan), [
        `update ${T.deploy} control-plane/argo-server`,
        `update ${T.deploy} control-plane/workflow-controller`,
        `update ${T.cm} ${CONTROLLER_CONFIG}`,
      ]);
    });

    it("Argo v4.1.1 → v4.1.2: new images by update; the CRDs stay", async () => {
      const plan = planOf(await run(stack, { argoVersion: "v4.1.1" }), await run(stack));
      assertSafe(plan);
      assert.deepEqual(actions(plan), [
        `update ${T.deploy} control-plane/argo-server`,
        `update ${T.deploy} control-plane/workflow-controller`,
        `update ${T.cm} ${CONTROLLER_CONFIG}`, // the executor image
      ]);
    });

    it("one more controller replica: the Deployment is updated and a disruption budget created", async () => {
      const plan = planOf(await run(stack, { controllerReplicas: "1" }), await run(stack, { controllerReplicas: "2" }));
      assertSafe(plan);
      assert.deepEqual(actions(plan), [
        `create ${T.pdb} control-plane/workflow-controller`,
        `update ${T.deploy} control-plane/workflow-controller`,
      ]);
    });

    it("controllerTokenLogin toggled: only the author RoleBinding's subjects change (roleRef would replace)", async () => {
      const on = await run(stack, { controllerTokenLogin: "true" });
      const off = await run(stack, { controllerTokenLogin: "false" });
      for (const plan of [planOf(on, off), planOf(off, on)]) {
        assertSafe(plan);
        assert.deepEqual(actions(plan), [`update ${T.binding} data-plane/argo-ui-author`]);
      }
    });

    it("archive password rotation (pulumi up --replace on it): a new password, create-first; nothing else goes", async () => {
      const base = resourceReport(await run(stack));
      const head: ResourceReport = JSON.parse(JSON.stringify(base));
      // `--replace` is not an input; a keeper change is the same replacement in random's rules (RequiresReplace).
      head.resources.find((r) => r.type === T.password && r.name === "archive-password")!.inputs.keepers = {
        rotated: "2026-11",
      };
      const plan = planChanges(base, head);
      assertSafe(plan);
      const step = plan.steps.find((s) => s.name === "archive-password")!;
      assert.equal(step.action, "replace");
      assert.equal(step.replaceMode, "create-first");
      // The Secret (mutable) and, on an external server, the role take the new value by update; the mocks' password
      // is the same string in both runs, so the plan cannot show those two updates.
      assert.deepEqual(actions(plan), [`replace ${T.password} archive-password`]);
    });

    it("a template added, removed and renamed: WorkflowTemplates only, the renamed one under its new name", async () => {
      const base = await run(stack);
      const added = planOf(
        base,
        await withTemplates(stack, (dir) => copyTemplate(dir, "platform-smoke-test", "smoke-two")),
      );
      assertSafe(added);
      assert.deepEqual(actions(added), [`create ${T.template} data-plane/smoke-two`]);
      const removed = planOf(base, await withTemplates(stack, (dir) => fs.rmSync(path.join(dir, "http-check.yaml"))));
      assertSafe(removed);
      assert.deepEqual(actions(removed), [`delete ${T.template} data-plane/http-check`]);
      const renamed = planOf(
        base,
        await withTemplates(stack, (dir) => {
          copyTemplate(dir, "http-check", "url-check");
          fs.rmSync(path.join(dir, "http-check.yaml"));
        }),
      );
      assertSafe(renamed);
      assert.deepEqual(actions(renamed), [
        `create ${T.template} data-plane/url-check`,
        `delete ${T.template} data-plane/http-check`,
      ]);
    });

    it("Strict → Secure: the ConfigMap is updated in place and both binaries roll", async () => {
      const plan = planOf(await run(stack), await run(stack, { templateReferencing: "Secure" }));
      assertSafe(plan);
      assert.equal(plan.steps.find((s) => s.name === CONTROLLER_CONFIG)?.action, "update");
      assert.deepEqual(
        plan.steps.map((s) => s.action),
        ["update", "update", "update"],
      );
    });

    it("the switch from the default provider to the stack's own: nothing replaced (step_generator providerChanged)", async () => {
      const head = resourceReport(await run(stack));
      const plan = planChanges(await onDefaultProvider(head), head);
      assertSafe(plan);
      assert.deepEqual(
        plan.steps.filter((s) => s.action !== "create").map((s) => `${s.action} ${s.name}`),
        ["add cluster"],
        "only the component and its two providers are new",
      );
    });
  });
}

describe("day 2 on dev: the in-cluster archive moved to an external server", () => {
  it("keeps the credentials Secret (alias), keeps the old archive's claim and namespace, and creates the role and database", async () => {
    const plan = planOf(
      await run("dev"),
      await run("dev", { databaseMode: "external", databaseHost: "db.example.com", databaseAdminPassword: "x" }),
    );
    // The in-cluster database's process goes; its data does not: the claim outlives the StatefulSet
    // (persistentVolumeClaimRetentionPolicy: Retain) and the control-plane namespace stays (the store is there).
    assertSafe(plan, (s) => s.action === "delete" && s.name === "control-plane/archive-postgres");
    const secret = plan.steps.find((s) => s.name === "control-plane/argo-archive-database")!;
    assert.equal(secret.action, "update", "the alias keeps it the same object (no create-before-delete)");
    assert.equal(secret.oldUrn?.includes("InClusterPostgres"), true);
    for (const created of ["archive-role", "archive-database", "archive-admin"])
      assert.equal(plan.steps.find((s) => s.name === created)?.action, "create", created);
  });
});

describe("destroy, then up, on dev", () => {
  it("keeps what holds the archive and the artifacts, and the next up adopts exactly that", async () => {
    const head = resourceReport(await run("dev"));
    const empty: ResourceReport = { stack: "dev", project: head.project, resources: [], outputs: {} };
    const destroy = planChanges(head, empty);
    assert.deepEqual(
      destroy.steps.filter((s) => s.blocked),
      [],
      "nothing protected on dev: destroy runs",
    );
    const kept = head.resources.filter((r) => r.retainOnDelete);
    assert.deepEqual(
      kept.filter((r) => r.type === T.ns).map((r) => r.name),
      ["control-plane"],
    );
    assert.equal(kept.filter((r) => r.type === T.crd).length, 8);
    // The claims of both StatefulSets are not Pulumi resources: they outlive the StatefulSets by their retention
    // policy and the namespace by its retainOnDelete.
    for (const name of STATEFUL) {
      const sts = head.resources.find((r) => r.type === T.sts && r.name === name)!;
      assert.deepEqual(sts.inputs.spec.persistentVolumeClaimRetentionPolicy, {
        whenDeleted: "Retain",
        whenScaled: "Retain",
      });
    }
    // The next up creates everything again; what the destroy kept meets AlreadyExists unless its provider adopts.
    const adopting = head.resources.find((r) => r.name === "kubernetes-retained-objects")!;
    assert.equal(adopting.inputs.upsertExistingObjects, "true");
    for (const r of kept.filter((x) => x.custom))
      assert.equal(r.provider, `${adopting.urn}::${adopting.name}-id`, `${r.name} is adopted`);
    const up = planChanges(empty, head);
    assert.ok(up.steps.filter((s) => s.custom).every((s) => s.action === "create"));
  });

  it("runs on dev (nothing protected), and stops on prod's protected archive database, by design", async () => {
    const r = await run("dev");
    assert.deepEqual(
      r.resources.filter((x) => x.options.protect).map((x) => x.name),
      [],
    );
    // A stack with a protected archive (prod) says so in its destroy plan instead.
    const prod = resourceReport(await run("prod"));
    const blocked = planChanges(prod, { stack: "prod", resources: [], outputs: {} }).steps.filter((s) => s.blocked);
    assert.deepEqual(
      blocked.map((s) => s.name),
      ["archive-database"],
    );
  });

  it("config for a stack without its cluster binding is refused, even in a plan's head", async () => {
    await assert.rejects(
      runProgram(withOverrides(loadReviewConfig("dev"), { kubeContext: undefined })),
      /argo-platform:kubeContext = \(not set\)/,
    );
  });
});
