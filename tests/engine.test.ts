// What a real `pulumi up` needs that the mocks would not show: each stack bound to its own cluster through its own
// provider, stack files the CLI can decrypt, the provider's annotations where its defaults would fail, and a
// destroy whose leftovers the next `up` can take back.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { ROOT, loadStackConfig, runProgram, withPlaceholderSecrets } from "../tools/offline.ts";
import type { ProgramRun } from "../tools/offline.ts";
import { PROJECT, SECRET_CONFIG_KEYS } from "../config.ts";
import { object, resource, run, stackNames, withOverrides } from "./support.ts";

const stackFile = (stack: string) => YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));

/** What `pulumi config set --secret` writes: passphrase/KMS `v1:<nonce>:<ciphertext>`, or a service's base64. */
export function isCiphertext(value: string): boolean {
  const b64 = "[A-Za-z0-9+/]+={0,2}";
  return new RegExp(`^v1:${b64}:${b64}$`).test(value) || new RegExp(`^${b64}$`).test(value);
}

function providers(r: ProgramRun) {
  const all = r.resources.filter((x) => x.type === "pulumi:providers:kubernetes");
  return { byRef: new Map(all.map((p) => [`${p.urn}::${p.name}-id`, p])), all };
}

describe("engine: cluster binding, secrets, lifecycle", () => {
  for (const stack of stackNames()) {
    describe(`stack ${stack}`, () => {
      it("sends every Kubernetes object through the stack's own provider, bound to the configured context", async () => {
        const r = await run(stack);
        const file = stackFile(stack).config;
        assert.ok(file["pulumi:disable-default-providers"].includes("kubernetes"), "default provider disabled");
        const { byRef, all } = providers(r);
        assert.equal(all.length, 2);
        for (const p of all) {
          assert.equal(p.inputs.context, file[`${PROJECT}:kubeContext`]);
          assert.equal(p.inputs.clusterIdentifier, file[`${PROJECT}:clusterIdentifier`] ?? p.inputs.context);
          // Data changes of ConfigMaps and Secrets update in place (pulumi-kubernetes diff.go forceNewProperties).
          assert.equal(p.inputs.enableConfigMapMutable, "true");
          assert.equal(p.inputs.enableSecretMutable, "true");
        }
        const k8sObjects = r.resources.filter((x) => x.custom && x.type.startsWith("kubernetes:"));
        assert.ok(k8sObjects.length > 40);
        for (const o of k8sObjects) assert.ok(byRef.has(o.options.provider!), `${o.type} ${o.name} has no provider`);
      });
    });
  }

  it("refuses a stack that names no cluster, before anything is registered", async () => {
    await assert.rejects(runProgram(withOverrides(loadStackConfig("dev"), { kubeContext: undefined })), (e: any) => {
      assert.match(
        e.message,
        /argo-platform:kubeContext = \(not set\): must be the kube context this stack deploys to/,
      );
      assert.deepEqual(
        e.registered.filter((x: any) => x.type !== "pulumi:pulumi:Stack"),
        [],
      );
      return true;
    });
  });

  it("keeps no fake ciphertext in stack files, and names the missing secret and its command", async () => {
    for (const stack of stackNames()) {
      const walk = (v: any): void => {
        if (v && typeof v === "object" && "secure" in v) assert.ok(isCiphertext(v.secure), `${stack}: ${v.secure}`);
        else if (v && typeof v === "object") Object.values(v).forEach(walk);
      };
      walk(stackFile(stack));
    }
    assert.ok(!isCiphertext("v1:replace-me-with-pulumi-config-set-secret"), "the old placeholder is refused");
    assert.ok(isCiphertext("v1:3Yq2mVhLrC0=:Vx1Y6m2GQm0d9uA3K1bY3w=="));
    await assert.rejects(runProgram(loadStackConfig("prod")), (e: any) => {
      assert.match(
        e.message,
        /argo-platform:databaseAdminPassword = \(not set\): .*`pulumi config set --stack prod --secret argo-platform:databaseAdminPassword`/,
      );
      return true;
    });
    // Offline review fills it with a marked placeholder and says so.
    const review = withPlaceholderSecrets(loadStackConfig("prod"), PROJECT, SECRET_CONFIG_KEYS);
    assert.ok(review.secretKeys.includes(`${PROJECT}:databaseAdminPassword`));
    assert.match(review.warnings.join("\n"), /databaseAdminPassword is not set .*\(pulumi up needs it\)/);
  });

  it("skips the token controller's await, and takes over the default accounts' automount field", async () => {
    const r = await run("dev");
    const token = object(r, "Secret", "data-plane-service-account.service-account-token", "data-plane");
    assert.equal(token.metadata.annotations["pulumi.com/skipAwait"], "true");
    const patches = r.resources.filter((x) => x.type === "kubernetes:core/v1:ServiceAccountPatch");
    assert.equal(patches.length, 2);
    for (const p of patches) assert.equal(p.inputs.metadata.annotations["pulumi.com/patchForce"], "true");
  });

  it("keeps the archive Secret's identity when the database mode changes (an alias each way)", async () => {
    const secretOf = (r: ProgramRun) => resource(r, "kubernetes:core/v1:Secret", "control-plane/argo-archive-database");
    const inCluster = secretOf(await run("dev"));
    const external = secretOf(
      await run("dev", { databaseMode: "external", databaseHost: "db.example.com", databaseAdminPassword: "x" }),
    );
    assert.notEqual(inCluster.urn, external.urn);
    assert.ok(inCluster.options.aliases.includes(external.urn));
    assert.ok(external.options.aliases.includes(inCluster.urn));
  });

  describe("what a destroy keeps, and how the next up takes it back", () => {
    const kept = (r: ProgramRun) =>
      r.resources
        .filter((x) => x.options.retainOnDelete)
        .map((x) => x.name)
        .sort();

    it("dev: keeps the CRDs and the archive's namespace (and so its claim), and adopts them on the next up", async () => {
      const r = await run("dev");
      assert.deepEqual(
        kept(r),
        [
          "clusterworkflowtemplates.argoproj.io",
          "control-plane",
          "cronworkflows.argoproj.io",
          "workflowartifactgctasks.argoproj.io",
          "workfloweventbindings.argoproj.io",
          "workflows.argoproj.io",
          "workflowtaskresults.argoproj.io",
          "workflowtasksets.argoproj.io",
          "workflowtemplates.argoproj.io",
        ].sort(),
      );
      assert.deepEqual(
        r.resources.filter((x) => x.options.protect).map((x) => x.name),
        [],
        "nothing protected: destroy works without unprotecting",
      );
      const adopting = r.resources.find((x) => x.name === "kubernetes-retained-objects")!;
      for (const x of r.resources.filter((y) => y.options.retainOnDelete && y.custom))
        assert.equal(x.options.provider, `${adopting.urn}::${adopting.name}-id`, `${x.name} is adopted on the next up`);
      assert.equal(adopting.inputs.upsertExistingObjects, "true");
      // The retained claim keeps the old password's role; every start sets the password the new Secret holds.
      const pg = object(r, "StatefulSet", "archive-postgres", "control-plane").spec.template.spec.containers[0];
      assert.match(pg.lifecycle.postStart.exec.command.join(" "), /ALTER ROLE CURRENT_USER PASSWORD/);
    });

    it("prod: keeps the CRDs and the archive database (protected), and adopts nothing unless told to", async () => {
      const r = await run("prod");
      assert.ok(kept(r).includes("archive-database") && kept(r).includes("archive-role"));
      assert.ok(kept(r).includes("workflows.argoproj.io"));
      assert.ok(!kept(r).includes("control-plane"));
      assert.deepEqual(
        r.resources.filter((x) => x.options.protect).map((x) => x.name),
        ["archive-database"],
      );
      const adopting = r.resources.find((x) => x.name === "kubernetes-retained-objects")!;
      assert.equal(adopting.inputs.upsertExistingObjects, "false");
      const told = (await run("prod", { adoptRetainedObjects: "true" })).resources.find(
        (x) => x.name === "kubernetes-retained-objects",
      )!;
      assert.equal(told.inputs.upsertExistingObjects, "true");
    });
  });
});
