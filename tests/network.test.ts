// NetworkPolicies: ingress is denied by default in both namespaces and opened only where something must connect.
import * as assert from "node:assert/strict";
import type { K8sObject } from "./support.ts";
import { objects, run } from "./support.ts";

const select = (policies: K8sObject[], component: string) =>
  policies.filter((p) => p.spec.podSelector.matchLabels?.["app.kubernetes.io/component"] === component);

describe("network policies", () => {
  it("deny all ingress by default in both namespaces", async () => {
    const r = await run("dev");
    const denyAll = objects(r, "NetworkPolicy").filter((p) => Object.keys(p.spec.podSelector).length === 0);
    assert.deepEqual(denyAll.map((p) => p.metadata.namespace).sort(), ["control-plane", "data-plane"]);
    for (const p of denyAll) {
      assert.deepEqual(p.spec.policyTypes, ["Ingress"]);
      assert.equal(p.spec.ingress, undefined);
    }
    // Nothing opens ingress to workflow pods.
    assert.deepEqual(
      objects(r, "NetworkPolicy").filter((p) => p.metadata.namespace === "data-plane" && p.spec.ingress),
      [],
    );
  });

  it("open argo-server on 2746 and controller metrics on 9090 only to the configured namespaces", async () => {
    // By default nothing on the pod network reaches argo-server (workflow pods included); port-forwards do not
    // cross the pod network, so the UI still works through them.
    assert.deepEqual(select(objects(await run("dev"), "NetworkPolicy"), "server"), []);
    const r = await run("dev", { metricsNamespace: "observability", serverClientNamespaces: "ingress-nginx,gateway" });
    const policies = objects(r, "NetworkPolicy");
    const [serverPolicy] = select(policies, "server");
    assert.deepEqual(serverPolicy.spec.ingress, [
      {
        from: ["ingress-nginx", "gateway"].map((ns) => ({
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
        })),
        ports: [{ protocol: "TCP", port: 2746 }],
      },
    ]);
    const [metrics] = select(policies, "controller");
    assert.deepEqual(metrics.spec.ingress, [
      {
        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } } }],
        ports: [{ protocol: "TCP", port: 9090 }],
      },
    ]);
  });

  it("let only controller and server pods reach the in-cluster database, and add no such rule for an external one", async () => {
    const dev = await run("dev");
    const [db] = select(objects(dev, "NetworkPolicy"), "archive-database");
    assert.deepEqual(
      db.spec.ingress[0].from.map((f: any) => f.podSelector.matchLabels["app.kubernetes.io/component"]).sort(),
      ["controller", "server"],
    );
    assert.deepEqual(db.spec.ingress[0].ports, [{ protocol: "TCP", port: 5432 }]);
    assert.deepEqual(select(objects(await run("prod"), "NetworkPolicy"), "archive-database"), []);
  });

  it("use only networking.k8s.io/v1 kinds", async () => {
    const r = await run("prod");
    // Every other kind whose name ends in Policy: disruption budgets and the template admission policy.
    const others = ["PodDisruptionBudget", "ValidatingAdmissionPolicy"];
    const network = objects(r).filter((o) => /Policy$/.test(o.kind) && !others.includes(o.kind));
    assert.ok(network.length > 0);
    assert.ok(network.every((p) => p.apiVersion === "networking.k8s.io/v1" && p.kind === "NetworkPolicy"));
  });
});
