// The whole program, for every stack file: hardening invariants that hold for every object it renders.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { render } from "../tools/render.ts";
import { REDACTED, SECRET } from "../tools/offline.ts";
import type { K8sObject } from "./support.ts";
import { objects, podSpecs, run, stackNames } from "./support.ts";

/** kubernetes-models class for an object's apiVersion and kind, e.g. rbac.authorization.k8s.io/v1 → rbacAuthorizationK8sIo.v1. */
async function modelFor(obj: K8sObject): Promise<any> {
  const models: any = await import("kubernetes-models");
  const [group, version] = obj.apiVersion.includes("/") ? obj.apiVersion.split("/") : ["", obj.apiVersion];
  const ns = group ? models[group.replace(/[.-](\w)/g, (_: string, c: string) => c.toUpperCase())] : models;
  return ns?.[version]?.[obj.kind];
}

/**
 * Every credential marked secret anywhere in the registered inputs: a secret string, or a password-like field of a
 * secret object (the archive Secret's username is secret too, but it is also the database's name in places).
 */
function secretValues(value: any, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => secretValues(v, found));
  else if (value && typeof value === "object") {
    if (SECRET in value) {
      const inner = value[SECRET];
      if (typeof inner === "string") found.push(inner);
      else
        for (const [k, v] of Object.entries(inner ?? {}))
          if (/password|token/i.test(k) && typeof v === "string") found.push(v);
    } else Object.values(value).forEach((v) => secretValues(v, found));
  }
  return found;
}

describe("every stack", () => {
  it("has a stack file for dev and at least one production-shaped stack", () => {
    assert.ok(stackNames().includes("dev"));
    assert.ok(stackNames().includes("prod"));
  });

  for (const stack of stackNames()) {
    describe(`stack ${stack}`, () => {
      it("renders only objects that pass the Kubernetes schemas", async () => {
        const r = await run(stack);
        const core = objects(r).filter((o) => o.apiVersion !== "argoproj.io/v1alpha1");
        assert.ok(core.length > 30);
        for (const o of core) {
          const Model = await modelFor(o);
          assert.ok(Model, `no schema for ${o.apiVersion} ${o.kind}`);
          // A Patch resource carries only the fields it owns; the full object is the cluster's.
          if (o.kind === "ServiceAccount" && o.metadata.name === "default") continue;
          assert.doesNotThrow(() => new Model(o).validate(), `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
        }
      });

      it("turns token automount off on every account and every pod", async () => {
        const r = await run(stack);
        const accounts = objects(r, "ServiceAccount");
        assert.ok(accounts.length >= 7);
        for (const sa of accounts)
          assert.equal(sa.automountServiceAccountToken, false, `${sa.metadata.namespace}/${sa.metadata.name}`);
        const patched = accounts
          .filter((sa) => sa.metadata.name === "default")
          .map((sa) => sa.metadata.namespace)
          .sort();
        assert.deepEqual(patched, ["control-plane", "data-plane"]);
        for (const { owner, spec } of podSpecs(r)) assert.equal(spec.automountServiceAccountToken, false, owner);
      });

      it("runs every container non-root, read-only, unprivileged, with RuntimeDefault seccomp and bounded resources", async () => {
        const r = await run(stack);
        const pods = podSpecs(r);
        assert.ok(pods.length >= 2);
        for (const { owner, spec } of pods) {
          assert.equal(spec.securityContext?.runAsNonRoot, true, owner);
          assert.ok(spec.securityContext?.runAsUser > 0, owner);
          assert.equal(spec.securityContext?.seccompProfile?.type, "RuntimeDefault", owner);
          assert.ok(!spec.hostNetwork && !spec.hostPID && !spec.hostIPC, owner);
          for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
            const at = `${owner} container ${c.name}`;
            assert.equal(c.securityContext?.allowPrivilegeEscalation, false, at);
            assert.equal(c.securityContext?.readOnlyRootFilesystem, true, at);
            assert.equal(c.securityContext?.runAsNonRoot, true, at);
            assert.deepEqual(c.securityContext?.capabilities?.drop, ["ALL"], at);
            assert.equal(c.securityContext?.seccompProfile?.type, "RuntimeDefault", at);
            for (const kind of ["requests", "limits"]) {
              assert.ok(c.resources?.[kind]?.cpu && c.resources?.[kind]?.memory, `${at} ${kind}`);
            }
            assert.match(c.image, /:[\w.-]+$/, `${at} image is pinned to a tag`);
            assert.doesNotMatch(c.image, /:latest$/, at);
          }
        }
      });

      it("keeps everything in the two namespaces, labelled for Pod Security restricted", async () => {
        const r = await run(stack);
        const namespaces = objects(r, "Namespace");
        assert.deepEqual(namespaces.map((n) => n.metadata.name).sort(), ["control-plane", "data-plane"]);
        for (const n of namespaces) {
          for (const mode of ["enforce", "audit", "warn"]) {
            assert.equal(n.metadata.labels[`pod-security.kubernetes.io/${mode}`], "restricted");
            assert.match(n.metadata.labels[`pod-security.kubernetes.io/${mode}-version`], /^v1\.\d+$/);
          }
        }
        const clusterScoped = new Set([
          "Namespace",
          "CustomResourceDefinition",
          "ValidatingAdmissionPolicy",
          "ValidatingAdmissionPolicyBinding",
        ]);
        for (const o of objects(r)) {
          if (clusterScoped.has(o.kind)) continue;
          assert.ok(
            ["control-plane", "data-plane"].includes(o.metadata.namespace),
            `${o.kind} ${o.metadata.name} in ${o.metadata.namespace}`,
          );
        }
        assert.deepEqual(
          objects(r).filter((o) => /^Cluster/.test(o.kind) && o.kind !== "ClusterWorkflowTemplate"),
          [],
        );
      });

      it("marks every Secret payload secret, and no secret value appears anywhere else", async () => {
        const r = await run(stack);
        const secrets = r.resources.filter((x) => x.type === "kubernetes:core/v1:Secret" && x.inputs.stringData);
        assert.ok(secrets.length >= 1);
        for (const s of secrets) assert.ok(SECRET in s.inputs.stringData, `${s.name} stringData is marked secret`);
        const values = r.resources.flatMap((x) => secretValues(x.inputs));
        assert.ok(values.length > 0);
        for (const x of r.resources) {
          if (
            x.type === "kubernetes:core/v1:Secret" ||
            x.type.startsWith("pulumi:providers:") ||
            x.type.startsWith("postgresql:")
          )
            continue;
          const text = JSON.stringify(x.inputs.data ?? x.inputs.spec ?? x.inputs);
          for (const v of values) assert.ok(!text.includes(v), `${x.type} ${x.name} contains a secret value`);
        }
        const outputs = JSON.stringify(r.outputs);
        assert.ok(!outputs.includes(SECRET), "no stack output is a secret");
        for (const v of values) assert.ok(!outputs.includes(v), "a secret value is in the stack outputs");
      });

      it("renders both files deterministically, with Secret payloads redacted", async () => {
        const dirs = [
          fs.mkdtempSync(path.join(os.tmpdir(), "render-")),
          fs.mkdtempSync(path.join(os.tmpdir(), "render-")),
        ];
        try {
          for (const d of dirs) await render(stack, d);
          const read = (d: string, f: string) => fs.readFileSync(path.join(d, f), "utf8");
          for (const f of ["manifests.yaml", "resources.json"])
            assert.equal(read(dirs[0], f), read(dirs[1], f), `${f} is deterministic`);
          const manifests = read(dirs[0], "manifests.yaml");
          assert.match(manifests, /kind: WorkflowTemplate/);
          assert.ok(manifests.includes(`password: ${REDACTED}`));
          const report = JSON.parse(read(dirs[0], "resources.json"));
          const all = JSON.stringify(report);
          const r = await run(stack);
          for (const v of r.resources.flatMap((x) => secretValues(x.inputs)))
            assert.ok(!manifests.includes(v) && !all.includes(v), "a secret value was rendered");
          assert.ok(report.resources.every((x: any) => typeof x.protect === "boolean" && Array.isArray(x.dependsOn)));
        } finally {
          for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
        }
      });
    });
  }
});
