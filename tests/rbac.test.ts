// Who may do what: an RBAC evaluator over the rendered Roles and RoleBindings, asked for each identity both what it
// must be able to do and what it must not.
import * as assert from "node:assert/strict";
import type { ProgramRun } from "../tools/offline.ts";
import { objects, run } from "./support.ts";

const CP = "control-plane";
const DP = "data-plane";
type Account = { namespace: string; name: string };
const controller: Account = { namespace: CP, name: "controller-service-account" };
const server: Account = { namespace: CP, name: "server-service-account" };
const executor: Account = { namespace: DP, name: "data-plane-service-account" };
const viewer: Account = { namespace: CP, name: "ui-viewer-service-account" };
const author: Account = { namespace: CP, name: "ui-author-service-account" };
const ACCOUNTS = { controller, server, executor, viewer, author };

/**
 * May `account` do `verb` on `resource` ("pods", "pods/exec", "argoproj.io/workflows", "coordination.k8s.io/leases")
 * in `namespace`, optionally on the object named `name`? Only namespaced Roles exist (a test below proves it).
 */
function can(
  r: ProgramRun,
  account: Account,
  verb: string,
  resource: string,
  namespace: string,
  name?: string,
): boolean {
  const [group, plural] =
    resource.includes(".") || resource.split("/").length > 2 ? splitGroup(resource) : ["", resource];
  const roles = objects(r, "Role").filter((x) => x.metadata.namespace === namespace);
  return objects(r, "RoleBinding")
    .filter((b) => b.metadata.namespace === namespace)
    .filter((b) =>
      b.subjects.some(
        (s: any) => s.kind === "ServiceAccount" && s.name === account.name && s.namespace === account.namespace,
      ),
    )
    .flatMap((b) => roles.filter((role) => b.roleRef.kind === "Role" && role.metadata.name === b.roleRef.name))
    .flatMap((role) => role.rules)
    .some(
      (rule: any) =>
        rule.apiGroups.includes(group) &&
        rule.resources.includes(plural) &&
        rule.verbs.includes(verb) &&
        (!rule.resourceNames || (name !== undefined && rule.resourceNames.includes(name))),
    );
}

function splitGroup(resource: string): [string, string] {
  const i = resource.indexOf("/");
  return [resource.slice(0, i), resource.slice(i + 1)];
}

describe("RBAC", () => {
  for (const stack of ["dev", "prod"]) {
    describe(`stack ${stack}`, () => {
      it("uses only namespaced Roles, without wildcards, and binds nothing to the default accounts", async () => {
        const r = await run(stack);
        assert.deepEqual(
          objects(r).filter((o) => o.kind === "ClusterRole" || o.kind === "ClusterRoleBinding"),
          [],
        );
        for (const role of objects(r, "Role")) {
          for (const rule of role.rules) {
            for (const field of ["apiGroups", "resources", "verbs", "resourceNames"]) {
              assert.ok(
                !(rule[field] ?? []).includes("*"),
                `${role.metadata.namespace}/${role.metadata.name} ${field}`,
              );
            }
          }
        }
        for (const b of objects(r, "RoleBinding")) {
          assert.ok(!b.subjects.some((s: any) => s.name === "default"), `${b.metadata.name} binds a default account`);
        }
      });

      it("lets the controller run workflows in the data plane and start in the control plane", async () => {
        const r = await run(stack);
        for (const verb of ["create", "get", "list", "watch", "patch", "delete"])
          assert.ok(can(r, controller, verb, "pods", DP), verb);
        assert.ok(can(r, controller, "create", "pods/exec", DP));
        assert.ok(
          can(r, controller, "get", "serviceaccounts", DP),
          "finds the executor's token Secret through its account",
        );
        assert.ok(can(r, controller, "create", "configmaps", DP), "offloads very large templates");
        for (const res of [
          "argoproj.io/workflowtasksets",
          "argoproj.io/workflowartifactgctasks",
          "argoproj.io/workflowtaskresults",
          "configmaps",
        ]) {
          assert.ok(
            can(r, controller, "list", res, DP) && can(r, controller, "watch", res, DP),
            `informer ${res} can sync`,
          );
        }
        assert.ok(can(r, controller, "update", "argoproj.io/workflows", DP));
        assert.ok(can(r, controller, "get", "argoproj.io/workflowtemplates", DP));
        assert.ok(can(r, controller, "watch", "configmaps", CP, "workflow-controller-configmap"));
        assert.ok(can(r, controller, "get", "secrets", CP, "argo-archive-database"));
        assert.ok(!can(r, controller, "get", "secrets", CP, "some-other-secret"), "only the archive Secret");
        assert.ok(
          can(r, controller, "create", "coordination.k8s.io/leases", CP) &&
            can(r, controller, "update", "coordination.k8s.io/leases", CP, "workflow-controller"),
        );
        assert.ok(!can(r, controller, "update", "configmaps", CP), "cannot rewrite its own configuration");
      });

      it("lets argo-server start and serve the archive, and nothing more with its own account", async () => {
        const r = await run(stack);
        for (const res of ["argoproj.io/workflowtemplates", "argoproj.io/workflows"]) {
          assert.ok(can(r, server, "list", res, DP) && can(r, server, "watch", res, DP), res);
        }
        assert.ok(can(r, server, "get", "configmaps", CP, "workflow-controller-configmap"));
        assert.ok(can(r, server, "get", "secrets", CP, "argo-archive-database"));
        assert.ok(!can(r, server, "create", "argoproj.io/workflows", DP), "user actions run with the user's token");
        assert.ok(!can(r, server, "get", "pods", DP) && !can(r, server, "get", "secrets", DP));
      });

      it("lets the executor report results and do nothing else", async () => {
        const r = await run(stack);
        assert.ok(can(r, executor, "create", "argoproj.io/workflowtaskresults", DP));
        assert.ok(can(r, executor, "patch", "argoproj.io/workflowtaskresults", DP));
        for (const [verb, res] of [
          ["get", "secrets"],
          ["list", "secrets"],
          ["get", "pods"],
          ["patch", "pods"],
          ["create", "configmaps"],
          ["get", "argoproj.io/workflows"],
        ]) {
          assert.ok(!can(r, executor, verb, res, DP), `${verb} ${res}`);
        }
        assert.ok(
          !objects(r, "RoleBinding").some(
            (b) => b.metadata.namespace === CP && b.subjects.some((s: any) => s.name === executor.name),
          ),
        );
      });

      it("lets the viewer read workflows, the archive and logs, but not submit", async () => {
        const r = await run(stack);
        assert.ok(
          can(r, viewer, "list", "argoproj.io/workflows", DP) && can(r, viewer, "get", "argoproj.io/workflows", DP),
          "archive access review",
        );
        assert.ok(can(r, viewer, "list", "argoproj.io/workflowtemplates", DP));
        assert.ok(can(r, viewer, "get", "pods/log", DP));
        assert.ok(!can(r, viewer, "create", "argoproj.io/workflows", DP));
        assert.ok(!can(r, viewer, "create", "argoproj.io/workflowtemplates", DP));
      });

      it("lets people read artifacts and logs of archived workflows; only they and the controller read the store's key", async () => {
        const r = await run(stack);
        const repository = objects(r, "ConfigMap").find((c) => c.metadata.name === "artifact-repositories")!;
        // argo-server resolves the repository with its own account...
        assert.ok(can(r, server, "get", "configmaps", DP, repository.metadata.name));
        assert.ok(!can(r, server, "get", "configmaps", DP, "some-other-configmap"));
        const secret = objects(r, "Secret").find((s) => s.metadata.name === "argo-artifact-store");
        for (const person of [viewer, author]) {
          // ...and reads the archived run and the store's credentials with the person's token.
          assert.ok(
            can(r, person, "get", "argoproj.io/workflows", DP) && can(r, person, "list", "argoproj.io/workflows", DP),
          );
          if (secret) assert.ok(can(r, person, "get", "secrets", DP, secret.metadata.name), person.name);
          assert.ok(!can(r, person, "get", "secrets", DP, "data-plane-service-account.service-account-token"));
          assert.ok(!can(r, person, "list", "secrets", DP));
        }
        const readers = Object.entries(ACCOUNTS)
          .filter(([, a]) => secret && can(r, a, "get", "secrets", DP, secret.metadata.name))
          .map(([label]) => label)
          .sort();
        // The controller reads Secrets that templates reference; the executor and argo-server's account never.
        assert.deepEqual(readers, secret ? ["author", "controller", "viewer"] : []);
        // Artifact-GC pods run as the executor's account: they read their tasks and report on them, nothing more.
        assert.ok(can(r, executor, "watch", "argoproj.io/workflowartifactgctasks", DP));
        assert.ok(can(r, executor, "patch", "argoproj.io/workflowartifactgctasks/status", DP));
        assert.ok(!can(r, executor, "patch", "argoproj.io/workflowartifactgctasks", DP));
      });

      it("lets the author write templates and submit from them", async () => {
        const r = await run(stack);
        for (const verb of ["create", "update", "delete"])
          assert.ok(can(r, author, verb, "argoproj.io/workflowtemplates", DP), verb);
        assert.ok(can(r, author, "create", "argoproj.io/workflows", DP));
        // Retry deletes the failed pods with the person's token; a viewer cannot retry.
        assert.ok(can(r, author, "delete", "pods", DP));
        assert.ok(!can(r, viewer, "delete", "pods", DP));
        assert.ok(can(r, author, "list", "argoproj.io/workflows", DP));
        assert.ok(!can(r, author, "get", "secrets", DP));
      });

      it("gives pods/exec to the controller alone, and ConfigMap writes in the data plane to nobody else", async () => {
        const r = await run(stack);
        for (const [label, account] of Object.entries(ACCOUNTS)) {
          const isController = account === controller;
          for (const ns of [CP, DP]) {
            assert.equal(
              can(r, account, "create", "pods/exec", ns),
              isController && ns === DP,
              `${label} exec in ${ns}`,
            );
          }
          for (const verb of ["create", "update", "patch", "delete"]) {
            assert.equal(
              can(r, account, verb, "configmaps", DP),
              isController && verb === "create",
              `${label} ${verb} configmaps`,
            );
          }
        }
      });
    });
  }

  it("lets the controller's token author and submit only where the stack allows it (dev yes, prod no)", async () => {
    const dev = await run("dev");
    const prod = await run("prod");
    for (const [verb, res] of [
      ["create", "argoproj.io/workflowtemplates"],
      ["create", "argoproj.io/workflows"],
      ["get", "pods/log"],
    ]) {
      assert.ok(can(dev, controller, verb, res, DP), `dev: controller token may ${verb} ${res}`);
    }
    assert.ok(
      !can(prod, controller, "create", "argoproj.io/workflowtemplates", DP),
      "prod: controller holds only what it needs",
    );
    assert.ok(!can(prod, controller, "get", "pods/log", DP));
    assert.ok("controller" in dev.outputs.loginTokenCommands);
    assert.ok(!("controller" in prod.outputs.loginTokenCommands));
  });

  it("exports the account names and the exact token commands", async () => {
    const r = await run("prod");
    assert.deepEqual(r.outputs.serviceAccounts, {
      controller: "control-plane/controller-service-account",
      server: "control-plane/server-service-account",
      executor: "data-plane/data-plane-service-account",
      uiViewer: "control-plane/ui-viewer-service-account",
      uiAuthor: "control-plane/ui-author-service-account",
    });
    assert.equal(
      r.outputs.loginTokenCommands.author,
      "kubectl -n control-plane create token ui-author-service-account --duration=8h",
    );
    assert.equal(
      r.outputs.loginTokenCommands.viewer,
      "kubectl -n control-plane create token ui-viewer-service-account --duration=8h",
    );
  });
});
