// resources.json as plans read it: provider references, aliases and change options per resource, secrets as digests.
import * as assert from "node:assert/strict";
import { engineUrn } from "../tools/offline.ts";
import type { ReportedResource } from "../tools/render.ts";
import { defaultProviderName, resourceReport, secretDigest } from "../tools/render.ts";
import { run } from "./support.ts";

const find = (resources: ReportedResource[], type: string, name: string) => {
  const found = resources.filter((r) => r.type === type && r.name === name);
  assert.equal(found.length, 1, `${type} ${name}`);
  return found[0];
};

describe("resources.json for plans", () => {
  it("names each custom resource's provider: the explicit one, or the default one after the plugin version", async () => {
    const report = resourceReport(await run("prod"));
    const randomVersion: string = (await import("@pulumi/random/package.json", { with: { type: "json" } })).default
      .version;
    const configMap = find(
      report.resources,
      "kubernetes:core/v1:ConfigMap",
      "control-plane/workflow-controller-configmap",
    );
    const bound = find(report.resources, "pulumi:providers:kubernetes", "kubernetes");
    assert.equal(configMap.provider, `${bound.urn}::kubernetes-id`, "the stack's own provider");
    // random has no explicit provider: the engine's default one, named after the plugin version.
    const password = find(report.resources, "random:index/randomPassword:RandomPassword", "archive-password");
    assert.equal(
      password.provider,
      `urn:pulumi:prod::argo-platform::pulumi:providers:random::${defaultProviderName(randomVersion)}`,
    );
    assert.ok(report.defaultProviders?.some((p) => p.urn === password.provider && p.inputs.version === randomVersion));
    assert.ok(!report.defaultProviders?.some((p) => p.package === "kubernetes"), "no Kubernetes default provider");
    const role = find(report.resources, "postgresql:index/role:Role", "archive-role");
    const provider = find(report.resources, "pulumi:providers:postgresql", "archive-admin");
    assert.equal(role.provider, `${provider.urn}::archive-admin-id`);
    assert.equal(provider.provider, undefined, "a provider has no provider");
    for (const r of report.resources) {
      assert.ok(Array.isArray(r.aliases) && Array.isArray(r.ignoreChanges) && Array.isArray(r.replaceOnChanges));
      assert.equal(typeof r.custom, "boolean");
    }
  });

  it("names default providers the way the engine does (providers.DefaultName)", () => {
    assert.equal(defaultProviderName("4.34.2"), "default_4_34_2");
    assert.equal(defaultProviderName("1.2.3-alpha.1+build.7"), "default_1_2_3_alpha_1_build_7");
    assert.equal(defaultProviderName(""), "default");
  });

  it("records aliases as the URNs the engine would look up, in the same scheme as every other URN", async () => {
    const r = await run("dev");
    for (const x of r.resources)
      assert.equal(x.urn, engineUrn("dev", "argo-platform", x.parent, x.type, x.name), `${x.type} ${x.name}`);
    const deployment = find(resourceReport(r).resources, "kubernetes:apps/v1:Deployment", "control-plane/argo-server");
    // @pulumi/kubernetes aliases every Deployment to its older API versions under the same parent and name.
    assert.ok(deployment.aliases?.includes(deployment.urn.replace("apps/v1:Deployment", "apps/v1beta1:Deployment")));
  });

  it("replaces each secret by a digest that changes with the value, the stack and the key, and reveals neither", async () => {
    const digest = secretDigest("prod", "stringData.password", "hunter2-but-longer");
    assert.match(digest, /^<redacted sha256:[0-9a-f]{12}>$/);
    assert.equal(digest, secretDigest("prod", "stringData.password", "hunter2-but-longer"));
    assert.notEqual(digest, secretDigest("staging", "stringData.password", "hunter2-but-longer"));
    assert.notEqual(digest, secretDigest("prod", "stringData.username", "hunter2-but-longer"));
    assert.notEqual(digest, secretDigest("prod", "stringData.password", "hunter3-but-longer"));

    const before = find(
      resourceReport(await run("prod")).resources,
      "kubernetes:core/v1:Secret",
      "control-plane/argo-archive-database",
    );
    const after = find(
      resourceReport(await run("prod", { databaseUser: "archive_writer" })).resources,
      "kubernetes:core/v1:Secret",
      "control-plane/argo-archive-database",
    );
    assert.deepEqual(Object.keys(before.inputs.stringData).sort(), ["password", "username"]);
    assert.notEqual(before.inputs.stringData.username, after.inputs.stringData.username);
    assert.equal(before.inputs.stringData.password, after.inputs.stringData.password);
    assert.ok(!JSON.stringify(after).includes('archive_writer"'), "the new username is not in the Secret's report");
  });
});
