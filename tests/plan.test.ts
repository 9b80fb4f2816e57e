// The offline plan: each provider rule on its own (table-driven), the engine on real program runs, and the CLI
// against a real git history.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ProgramRun } from "../tools/offline.ts";
import { loadReviewConfig, runProgram } from "../tools/offline.ts";
import { formatPath, parsePath, pathContains } from "../tools/plan/diff.ts";
import { formatPlan } from "../tools/plan/format.ts";
import { kubernetesDiff, kubernetesDiffConfig, kubernetesFlags } from "../tools/plan/kubernetes-rules.ts";
import type { Plan, PlanStep } from "../tools/plan/plan.ts";
import { kubernetesFlagsFor, planChanges } from "../tools/plan/plan.ts";
import { bridgedDiffConfig, postgresqlDiff } from "../tools/plan/postgresql-rules.ts";
import { randomDiff } from "../tools/plan/random-rules.ts";
import type { ReportedResource, ResourceReport } from "../tools/render.ts";
import { resourceReport } from "../tools/render.ts";
import { copyTemplate, onDefaultProvider, projectCopy, run, withTemplates } from "./support.ts";

type Outcome = "same" | "update" | "replace (delete-first)" | "replace (create-first)";
const outcome = (d: { changes: unknown[]; replaces: string[]; deleteBeforeReplace: boolean }): Outcome =>
  d.replaces.length
    ? d.deleteBeforeReplace
      ? "replace (delete-first)"
      : "replace (create-first)"
    : d.changes.length
      ? "update"
      : "same";

const MUTABLE = { enableConfigMapMutable: true, enableSecretMutable: true };
const IMMUTABLE = { enableConfigMapMutable: false, enableSecretMutable: false };
const meta = (name = "x", namespace = "ns") => ({ name, namespace });

describe("plan: provider rules", () => {
  describe("pulumi-kubernetes Diff (diff.go forceNewProperties, provider.go Diff)", () => {
    const cm = (data: Record<string, string>, extra: object = {}) => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: meta(),
      data,
      ...extra,
    });
    const secret = (stringData: Record<string, string>, extra: object = {}) => ({
      apiVersion: "v1",
      kind: "Secret",
      metadata: meta(),
      type: "Opaque",
      stringData,
      ...extra,
    });
    const deployment = (spec: object) => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: meta(), spec });
    const sts = (spec: object) => ({ apiVersion: "apps/v1", kind: "StatefulSet", metadata: meta(), spec });
    const pvc = (spec: object) => ({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: meta(), spec });
    const pod = (spec: object) => ({ apiVersion: "v1", kind: "Pod", metadata: meta(), spec });
    const svc = (spec: object) => ({ apiVersion: "v1", kind: "Service", metadata: meta(), spec });
    const job = (spec: object) => ({ apiVersion: "batch/v1", kind: "Job", metadata: meta(), spec });
    const binding = (kind: string, roleRef: object, subjects: object[]) => ({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind,
      metadata: kind === "ClusterRoleBinding" ? { name: "x" } : meta(),
      roleRef,
      subjects,
    });
    const pdb = (apiVersion: string, spec: object) => ({
      apiVersion,
      kind: "PodDisruptionBudget",
      metadata: meta(),
      spec,
    });
    const sc = (fields: object) => ({
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: "x" },
      ...fields,
    });
    const pv = (spec: object) => ({ apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "x" }, spec });
    const selector = (app: string) => ({ matchLabels: { app } });
    const containers = (image: string, extra: object = {}) => ({ containers: [{ name: "c", image, ...extra }] });

    const cases: {
      rule: string;
      type?: string;
      old: any;
      new: any;
      flags?: typeof MUTABLE;
      ignoreChanges?: string[];
      expect: Outcome;
      replaces?: string[];
    }[] = [
      {
        rule: "every kind: .metadata.name; new name → not delete-first",
        old: cm({ a: "1" }),
        new: { ...cm({ a: "1" }), metadata: meta("y") },
        expect: "replace (create-first)",
        replaces: ["metadata.name"],
      },
      {
        rule: "every kind: .metadata.namespace; new namespace → not delete-first",
        old: cm({ a: "1" }),
        new: { ...cm({ a: "1" }), metadata: meta("x", "other") },
        expect: "replace (create-first)",
      },
      {
        rule: "ConfigMap .data without enableConfigMapMutable; named → delete-first",
        old: cm({ a: "1" }),
        new: cm({ a: "2" }),
        expect: "replace (delete-first)",
        replaces: ["data.a"],
      },
      {
        rule: "ConfigMap .binaryData without enableConfigMapMutable",
        old: cm({}, { binaryData: { b: "AA==" } }),
        new: cm({}, { binaryData: { b: "AQ==" } }),
        expect: "replace (delete-first)",
      },
      {
        rule: "ConfigMap .data with enableConfigMapMutable: update",
        old: cm({ a: "1" }),
        new: cm({ a: "2" }),
        flags: MUTABLE,
        expect: "update",
      },
      {
        rule: "ConfigMap immutable: true replaces even with enableConfigMapMutable",
        old: cm({ a: "1" }, { immutable: true }),
        new: cm({ a: "2" }, { immutable: true }),
        flags: MUTABLE,
        expect: "replace (delete-first)",
      },
      {
        rule: "ConfigMap labels are not data: update",
        old: cm({ a: "1" }),
        new: { ...cm({ a: "1" }), metadata: { ...meta(), labels: { l: "v" } } },
        expect: "update",
      },
      {
        rule: "Secret .stringData without enableSecretMutable",
        old: secret({ p: "<redacted sha256:aaaaaaaaaaaa>" }),
        new: secret({ p: "<redacted sha256:bbbbbbbbbbbb>" }),
        expect: "replace (delete-first)",
        replaces: ["stringData.p"],
      },
      {
        rule: "Secret .data with enableSecretMutable: update",
        old: secret({}, { data: { p: "YQ==" } }),
        new: secret({}, { data: { p: "Yg==" } }),
        flags: MUTABLE,
        expect: "update",
      },
      {
        rule: "Secret .type replaces even with enableSecretMutable",
        old: secret({ p: "a" }),
        new: { ...secret({ p: "a" }), type: "kubernetes.io/basic-auth" },
        flags: MUTABLE,
        expect: "replace (delete-first)",
        replaces: ["type"],
      },
      {
        rule: "Secret immutable: true replaces even with enableSecretMutable",
        old: secret({ p: "a" }, { immutable: true }),
        new: secret({ p: "b" }, { immutable: true }),
        flags: MUTABLE,
        expect: "replace (delete-first)",
      },
      {
        rule: "apps/v1 Deployment .spec.selector (label-selector sub-path)",
        old: deployment({ selector: selector("a") }),
        new: deployment({ selector: selector("b") }),
        expect: "replace (delete-first)",
        replaces: ["spec.selector.matchLabels.app"],
      },
      {
        rule: "apps/v1 Deployment .spec.replicas is not forceNew",
        old: deployment({ replicas: 1, selector: selector("a") }),
        new: deployment({ replicas: 2, selector: selector("a") }),
        expect: "update",
      },
      {
        rule: "apps/v1 Deployment pod template is not forceNew",
        old: deployment({ template: { spec: containers("i:1") } }),
        new: deployment({ template: { spec: containers("i:2") } }),
        expect: "update",
      },
      {
        rule: "apps/v1 DaemonSet .spec.selector",
        type: "kubernetes:apps/v1:DaemonSet",
        old: { ...deployment({ selector: selector("a") }), kind: "DaemonSet" },
        new: { ...deployment({ selector: { matchExpressions: [] } }), kind: "DaemonSet" },
        expect: "replace (delete-first)",
      },
      {
        rule: "apps/v1 StatefulSet .spec.serviceName",
        old: sts({ serviceName: "a" }),
        new: sts({ serviceName: "b" }),
        expect: "replace (delete-first)",
      },
      {
        rule: "apps/v1 StatefulSet .spec.podManagementPolicy",
        old: sts({ podManagementPolicy: "OrderedReady" }),
        new: sts({ podManagementPolicy: "Parallel" }),
        expect: "replace (delete-first)",
      },
      {
        rule: "apps/v1 StatefulSet .spec.revisionHistoryLimit",
        old: sts({ revisionHistoryLimit: 10 }),
        new: sts({ revisionHistoryLimit: 5 }),
        expect: "replace (delete-first)",
      },
      {
        rule: "apps/v1 StatefulSet .spec.volumeClaimTemplates (any field under it)",
        old: sts({ volumeClaimTemplates: [{ spec: { storageClassName: "a" } }] }),
        new: sts({ volumeClaimTemplates: [{ spec: { storageClassName: "b" } }] }),
        expect: "replace (delete-first)",
        replaces: ["spec.volumeClaimTemplates[0].spec.storageClassName"],
      },
      {
        rule: "apps/v1 StatefulSet .spec.replicas is not forceNew",
        old: sts({ replicas: 1 }),
        new: sts({ replicas: 3 }),
        expect: "update",
      },
      {
        rule: "core/v1 PersistentVolumeClaim .spec.accessModes",
        old: pvc({ accessModes: ["ReadWriteOnce"] }),
        new: pvc({ accessModes: ["ReadWriteMany"] }),
        expect: "replace (delete-first)",
      },
      {
        rule: "core/v1 PersistentVolumeClaim .spec.storageClassName added",
        old: pvc({}),
        new: pvc({ storageClassName: "fast" }),
        expect: "replace (delete-first)",
      },
      {
        rule: "core/v1 PersistentVolumeClaim .spec.volumeName",
        old: pvc({ volumeName: "a" }),
        new: pvc({ volumeName: "b" }),
        expect: "replace (delete-first)",
      },
      {
        rule: "core/v1 PersistentVolumeClaim .spec.selector.matchLabels",
        old: pvc({ selector: selector("a") }),
        new: pvc({ selector: selector("b") }),
        expect: "replace (delete-first)",
      },
      {
        rule: "core/v1 PersistentVolumeClaim storage request is not forceNew (provider's own test)",
        old: pvc({ resources: { requests: { storage: "10Gi" } } }),
        new: pvc({ resources: { requests: { storage: "20Gi" } } }),
        expect: "update",
      },
      {
        rule: "core/v1 Service .spec.clusterIP",
        old: svc({ clusterIP: "10.0.0.1" }),
        new: svc({ clusterIP: "10.0.0.2" }),
        expect: "replace (delete-first)",
      },
      {
        rule: "core/v1 Service ports are not forceNew",
        old: svc({ ports: [{ port: 80 }] }),
        new: svc({ ports: [{ port: 81 }] }),
        expect: "update",
      },
      {
        rule: "core/v1 Pod .spec.containers[*].image",
        old: pod(containers("nginx")),
        new: pod(containers("nginx:1.15-alpine")),
        expect: "replace (delete-first)",
        replaces: ["spec.containers[0].image"],
      },
      {
        rule: "core/v1 Pod .spec.nodeSelector",
        old: pod({ nodeSelector: { a: "1" } }),
        new: pod({ nodeSelector: { a: "2" } }),
        expect: "replace (delete-first)",
      },
      {
        rule: "core/v1 Pod .spec.serviceAccountName",
        old: pod({ serviceAccountName: "a" }),
        new: pod({ serviceAccountName: "b" }),
        expect: "replace (delete-first)",
      },
      {
        rule: "core/v1 Pod a container field not in the list (provider's own test: dnsPolicy in a container)",
        old: pod(containers("n", { dnsPolicy: "Default" })),
        new: pod(containers("n", { dnsPolicy: "None" })),
        expect: "update",
      },
      {
        rule: "core/v1 Pod .spec.activeDeadlineSeconds is not listed",
        old: pod({ activeDeadlineSeconds: 1 }),
        new: pod({ activeDeadlineSeconds: 2 }),
        expect: "update",
      },
      {
        rule: "rbac/v1 RoleBinding .roleRef",
        old: binding("RoleBinding", { kind: "Role", name: "a" }, []),
        new: binding("RoleBinding", { kind: "Role", name: "b" }, []),
        expect: "replace (delete-first)",
      },
      {
        rule: "rbac/v1 RoleBinding subjects are not forceNew",
        old: binding("RoleBinding", { kind: "Role", name: "a" }, [{ kind: "ServiceAccount", name: "a" }]),
        new: binding("RoleBinding", { kind: "Role", name: "a" }, [{ kind: "ServiceAccount", name: "b" }]),
        expect: "update",
      },
      {
        rule: "rbac/v1 ClusterRoleBinding .roleRef (cluster-scoped: namespace ignored)",
        type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
        old: binding("ClusterRoleBinding", { kind: "ClusterRole", name: "a" }, []),
        new: binding("ClusterRoleBinding", { kind: "ClusterRole", name: "b" }, []),
        expect: "replace (delete-first)",
      },
      {
        rule: "batch/v1 Job .spec.template",
        old: job({ template: { spec: containers("a") } }),
        new: job({ template: { spec: containers("b") } }),
        expect: "replace (delete-first)",
      },
      {
        rule: "batch/v1 Job .spec.parallelism",
        old: job({ parallelism: 1 }),
        new: job({ parallelism: 2 }),
        expect: "replace (delete-first)",
      },
      {
        rule: "batch/v1 Job .spec.completions",
        old: job({ completions: 1 }),
        new: job({ completions: 2 }),
        expect: "replace (delete-first)",
      },
      {
        rule: "batch/v1 Job .spec.backoffLimit is not listed",
        old: job({ backoffLimit: 1 }),
        new: job({ backoffLimit: 2 }),
        expect: "update",
      },
      {
        rule: "storage/v1 StorageClass .parameters",
        old: sc({ provisioner: "p", parameters: { t: "a" } }),
        new: sc({ provisioner: "p", parameters: { t: "b" } }),
        expect: "replace (delete-first)",
      },
      {
        rule: "storage/v1 StorageClass .provisioner",
        old: sc({ provisioner: "a" }),
        new: sc({ provisioner: "b" }),
        expect: "replace (delete-first)",
      },
      {
        rule: "core/v1 PersistentVolume volume source (.spec.nfs)",
        old: pv({ nfs: { server: "a", path: "/" } }),
        new: pv({ nfs: { server: "b", path: "/" } }),
        expect: "replace (delete-first)",
      },
      {
        rule: "core/v1 PersistentVolume capacity is not listed",
        old: pv({ capacity: { storage: "1Gi" } }),
        new: pv({ capacity: { storage: "2Gi" } }),
        expect: "update",
      },
      {
        rule: "policy/v1beta1 PodDisruptionBudget .spec",
        old: pdb("policy/v1beta1", { minAvailable: 1 }),
        new: pdb("policy/v1beta1", { minAvailable: 2 }),
        expect: "replace (delete-first)",
      },
      {
        rule: "policy/v1 PodDisruptionBudget is not listed",
        old: pdb("policy/v1", { minAvailable: 1 }),
        new: pdb("policy/v1", { minAvailable: 2 }),
        expect: "update",
      },
      {
        rule: "*Patch resources replace only on name/namespace (kinds.IsPatchResource)",
        type: "kubernetes:core/v1:ConfigMapPatch",
        old: cm({ a: "1" }),
        new: cm({ a: "2" }),
        expect: "update",
      },
      {
        rule: "*Patch resources: a new name replaces",
        type: "kubernetes:core/v1:ConfigMapPatch",
        old: cm({ a: "1" }),
        new: { ...cm({ a: "1" }), metadata: meta("y") },
        expect: "replace (create-first)",
      },
      {
        rule: "autonamed (no metadata.name) → create-first (metadata.AssignNameIfAutonamable)",
        old: { ...cm({ a: "1" }), metadata: { namespace: "ns" } },
        new: { ...cm({ a: "2" }), metadata: { namespace: "ns" } },
        expect: "replace (create-first)",
      },
      {
        rule: "ignoreChanges drops a forceNew change (provider.go Diff ignorePaths)",
        old: cm({ a: "1" }),
        new: cm({ a: "2" }),
        ignoreChanges: ["data"],
        expect: "same",
      },
      {
        rule: "a namespaced object without a namespace is in default (canonicalNamespace)",
        old: { ...cm({ a: "1" }), metadata: { name: "x" } },
        new: { ...cm({ a: "1" }), metadata: { name: "x", namespace: "default" } },
        expect: "same",
      },
      {
        rule: "custom resources: only identity forces replacement",
        type: "kubernetes:argoproj.io/v1alpha1:WorkflowTemplate",
        old: {
          apiVersion: "argoproj.io/v1alpha1",
          kind: "WorkflowTemplate",
          metadata: meta(),
          spec: { entrypoint: "a" },
        },
        new: {
          apiVersion: "argoproj.io/v1alpha1",
          kind: "WorkflowTemplate",
          metadata: meta(),
          spec: { entrypoint: "b" },
        },
        expect: "update",
      },
    ];
    for (const c of cases) {
      it(`${c.rule}: ${c.expect}`, () => {
        const type =
          c.type ??
          `kubernetes:${c.new.apiVersion.includes("/") ? c.new.apiVersion : `core/${c.new.apiVersion}`}:${c.new.kind}`;
        const d = kubernetesDiff({
          type,
          old: c.old,
          new: c.new,
          flags: c.flags ?? IMMUTABLE,
          ignoreChanges: c.ignoreChanges,
        });
        assert.equal(outcome(d), c.expect, JSON.stringify(d.changes));
        if (c.replaces) assert.deepEqual(d.replaces, c.replaces);
      });
    }

    it("reads the mutability flags from a provider's inputs as strings or booleans, else reports them unset", () => {
      assert.equal(kubernetesFlags({ enableConfigMapMutable: "true" }, "p").enableConfigMapMutable, true);
      assert.equal(kubernetesFlags({ enableConfigMapMutable: true }, "p").enableConfigMapMutable, true);
      assert.equal(kubernetesFlags({ enableConfigMapMutable: "false" }, "p").enableConfigMapMutable, false);
      const none = kubernetesFlags({ version: "4.34.2" }, "the default provider");
      assert.equal(none.enableSecretMutable, false);
      assert.deepEqual(none.unset, ["enableConfigMapMutable", "enableSecretMutable", "upsertExistingObjects"]);
    });
  });

  describe("pulumi-kubernetes DiffConfig (provider.go DiffConfig, util.go getActiveClusterFromConfig)", () => {
    const kubeconfig = (current: string) =>
      [
        "apiVersion: v1",
        "clusters:",
        "- name: a\n  cluster: {server: https://a.example}",
        "- name: b\n  cluster: {server: https://b.example}",
        "contexts:",
        "- name: ctx-a\n  context: {cluster: a}",
        "- name: ctx-a2\n  context: {cluster: a, namespace: other}",
        "- name: ctx-b\n  context: {cluster: b}",
        `current-context: ${current}`,
      ].join("\n");
    const cases: { rule: string; old: Record<string, unknown>; new: Record<string, unknown>; replaces: string[] }[] = [
      {
        rule: "clusterIdentifier changed: replace",
        old: { clusterIdentifier: "a" },
        new: { clusterIdentifier: "b" },
        replaces: ["clusterIdentifier"],
      },
      {
        rule: "clusterIdentifier added: no replace (on-boarding)",
        old: {},
        new: { clusterIdentifier: "a" },
        replaces: [],
      },
      {
        rule: "clusterIdentifier set and unchanged: no replace even when the cluster changes",
        old: { clusterIdentifier: "x", kubeconfig: kubeconfig("ctx-a") },
        new: { clusterIdentifier: "x", kubeconfig: kubeconfig("ctx-b") },
        replaces: [],
      },
      {
        rule: "inline kubeconfig whose active cluster changes: replace",
        old: { kubeconfig: kubeconfig("ctx-a") },
        new: { kubeconfig: kubeconfig("ctx-b") },
        replaces: ["kubeconfig"],
      },
      {
        rule: "context override to another cluster: replace",
        old: { kubeconfig: kubeconfig("ctx-a"), context: "ctx-a" },
        new: { kubeconfig: kubeconfig("ctx-a"), context: "ctx-b" },
        replaces: ["context"],
      },
      {
        rule: "context override to the same cluster: no replace",
        old: { kubeconfig: kubeconfig("ctx-a"), context: "ctx-a" },
        new: { kubeconfig: kubeconfig("ctx-a"), context: "ctx-a2" },
        replaces: [],
      },
      {
        rule: "default provider (no kubeconfig) → explicit one with flags: no replace",
        old: { version: "4.34.2" },
        new: { kubeconfig: kubeconfig("ctx-a"), enableConfigMapMutable: "true", version: "4.34.2" },
        replaces: [],
      },
      {
        rule: "renderYamlToDirectory changed: replace",
        old: {},
        new: { renderYamlToDirectory: "out" },
        replaces: ["renderYamlToDirectory"],
      },
      {
        rule: "kubeconfig file paths that differ: assumed replace",
        old: { kubeconfig: "/home/a/.kube/config" },
        new: { kubeconfig: "/home/a/.kube/prod" },
        replaces: ["kubeconfig"],
      },
      {
        rule: "only flags change: no replace",
        old: { enableConfigMapMutable: "false" },
        new: { enableConfigMapMutable: "true" },
        replaces: [],
      },
    ];
    for (const c of cases) it(c.rule, () => assert.deepEqual(kubernetesDiffConfig(c.old, c.new).replaces, c.replaces));
  });

  describe("pulumi-random (terraform-provider-random v3.9.0: every input RequiresReplace)", () => {
    const T = "random:index/randomPassword:RandomPassword";
    const cases: { rule: string; old: any; new: any; expect: Outcome }[] = [
      {
        rule: "length: RequiresReplace",
        old: { length: 32, special: false },
        new: { length: 40, special: false },
        expect: "replace (create-first)",
      },
      {
        rule: "special: RequiresReplace",
        old: { length: 32, special: false },
        new: { length: 32, special: true },
        expect: "replace (create-first)",
      },
      {
        rule: "special dropped where the default (true) was set: no change (booldefault)",
        old: { length: 32, special: true },
        new: { length: 32 },
        expect: "same",
      },
      {
        rule: "special dropped where false was set: the default differs, replace",
        old: { length: 32, special: false },
        new: { length: 32 },
        expect: "replace (create-first)",
      },
      {
        rule: "keepers value changed: RequiresReplaceIfValuesNotNull",
        old: { length: 8, keepers: { k: "a" } },
        new: { length: 8, keepers: { k: "b" } },
        expect: "replace (create-first)",
      },
      {
        rule: "keepers key added with a null value: no change",
        old: { length: 8, keepers: {} },
        new: { length: 8, keepers: { k: null } },
        expect: "same",
      },
      {
        rule: 'overrideSpecial "" → unset: RequiresReplaceUnlessEmptyStringToNull',
        old: { length: 8, overrideSpecial: "" },
        new: { length: 8 },
        expect: "same",
      },
      {
        rule: "overrideSpecial changed: replace",
        old: { length: 8, overrideSpecial: "!" },
        new: { length: 8, overrideSpecial: "?" },
        expect: "replace (create-first)",
      },
    ];
    for (const c of cases)
      it(`${c.rule}: ${c.expect}`, () =>
        assert.equal(outcome(randomDiff({ type: T, old: c.old, new: c.new })), c.expect));
  });

  describe("pulumi-postgresql (terraform-provider-postgresql v1.26.0 schemas)", () => {
    const role = "postgresql:index/role:Role";
    const db = "postgresql:index/database:Database";
    const grant = "postgresql:index/grant:Grant";
    const g = (extra: object = {}) => ({
      role: "r",
      database: "d",
      schema: "public",
      objectType: "table",
      privileges: ["SELECT", "INSERT"],
      ...extra,
    });
    const cases: { rule: string; type: string; old: any; new: any; expect: Outcome }[] = [
      {
        rule: "Role name: in place (setRoleName: ALTER ROLE RENAME)",
        type: role,
        old: { name: "a", login: true },
        new: { name: "b", login: true },
        expect: "update",
      },
      {
        rule: "Role password: in place",
        type: role,
        old: { name: "a", password: "<redacted sha256:aaaaaaaaaaaa>" },
        new: { name: "a", password: "<redacted sha256:bbbbbbbbbbbb>" },
        expect: "update",
      },
      {
        rule: "Role flags: in place",
        type: role,
        old: { name: "a", createRole: false },
        new: { name: "a", createRole: true },
        expect: "update",
      },
      {
        rule: "Database name: in place (setDBName: ALTER DATABASE RENAME)",
        type: db,
        old: { name: "a", owner: "o" },
        new: { name: "b", owner: "o" },
        expect: "update",
      },
      {
        rule: "Database owner: in place",
        type: db,
        old: { name: "a", owner: "o" },
        new: { name: "a", owner: "p" },
        expect: "update",
      },
      {
        rule: "Database encoding: ForceNew",
        type: db,
        old: { name: "a", encoding: "UTF8" },
        new: { name: "a", encoding: "LATIN1" },
        expect: "replace (create-first)",
      },
      {
        rule: "Database lcCollate: ForceNew",
        type: db,
        old: { name: "a", lcCollate: "C" },
        new: { name: "a", lcCollate: "en_US.UTF-8" },
        expect: "replace (create-first)",
      },
      {
        rule: "Database template: ForceNew",
        type: db,
        old: { name: "a", template: "template0" },
        new: { name: "a", template: "template1" },
        expect: "replace (create-first)",
      },
      {
        rule: "Database encoding dropped: Optional+Computed keeps the server's value",
        type: db,
        old: { name: "a", encoding: "UTF8" },
        new: { name: "a" },
        expect: "same",
      },
      {
        rule: "Grant privileges: in place, order-insensitive set",
        type: grant,
        old: g(),
        new: g({ privileges: ["INSERT", "SELECT", "UPDATE"] }),
        expect: "update",
      },
      {
        rule: "Grant privileges reordered: no change (TypeSet)",
        type: grant,
        old: g(),
        new: g({ privileges: ["INSERT", "SELECT"] }),
        expect: "same",
      },
      {
        rule: "Grant objects: ForceNew, DeleteBeforeReplace (provider/resources.go)",
        type: grant,
        old: g({ objects: ["t1"] }),
        new: g({ objects: ["t2"] }),
        expect: "replace (delete-first)",
      },
      {
        rule: "Grant role: ForceNew, DeleteBeforeReplace",
        type: grant,
        old: g(),
        new: g({ role: "s" }),
        expect: "replace (delete-first)",
      },
      {
        rule: "an unconfirmed type: every change counted as a replacement",
        type: "postgresql:index/schema:Schema",
        old: { name: "a" },
        new: { name: "b" },
        expect: "replace (create-first)",
      },
    ];
    for (const c of cases) it(`${c.rule}: ${c.expect}`, () => assert.equal(outcome(postgresqlDiff(c)), c.expect));

    it("says so when it cannot confirm a type's rules", () => {
      const d = postgresqlDiff({ type: "postgresql:index/schema:Schema", old: { name: "a" }, new: { name: "b" } });
      assert.match(d.notes.join(), /not confirmed/);
    });

    it("provider config: no field forces replacement (bridge configDiffer, ForcesProviderReplace on none)", () => {
      const d = bridgedDiffConfig("postgresql", { host: "a", port: "5432" }, { host: "b", port: 5433 });
      assert.deepEqual(d.replaces, []);
      assert.deepEqual(d.diffs, ["host", "port"]);
      assert.match(d.reasons.join(), /not recreated on the new server/);
    });
  });

  describe("property paths (resource.PropertyPath)", () => {
    it("parses, prints and matches the way ignoreChanges and replaceOnChanges are written", () => {
      assert.deepEqual(parsePath('metadata.labels["app.kubernetes.io/name"]'), [
        "metadata",
        "labels",
        "app.kubernetes.io/name",
      ]);
      assert.deepEqual(parsePath("spec.containers[0].image"), ["spec", "containers", 0, "image"]);
      assert.equal(formatPath(["metadata", "annotations", "a/b.c"]), 'metadata.annotations["a/b.c"]');
      assert.ok(pathContains(parsePath("spec.containers[*].image"), ["spec", "containers", 3, "image"]));
      assert.ok(!pathContains(parsePath("spec.template"), ["spec", "replicas"]));
    });
  });
});

// --- The engine on real program runs -------------------------------------------------------------------------------

const clone = (r: ResourceReport): ResourceReport => JSON.parse(JSON.stringify(r));

function planOf(base: ProgramRun, head: ProgramRun): { plan: Plan; base: ResourceReport; head: ResourceReport } {
  const b = resourceReport(base);
  const h = resourceReport(head);
  return { plan: planChanges(b, h), base: b, head: h };
}

function step(plan: Plan, type: string, name: string): PlanStep {
  const found = plan.steps.filter((s) => s.type === type && s.name === name);
  assert.equal(
    found.length,
    1,
    `one step for ${type} ${name}: ${plan.steps.map((s) => `${s.action} ${s.type} ${s.name}`).join("\n")}`,
  );
  return found[0];
}

const T = {
  cm: "kubernetes:core/v1:ConfigMap",
  secret: "kubernetes:core/v1:Secret",
  deploy: "kubernetes:apps/v1:Deployment",
  pdb: "kubernetes:policy/v1:PodDisruptionBudget",
  ns: "kubernetes:core/v1:Namespace",
  sts: "kubernetes:apps/v1:StatefulSet",
  wft: "kubernetes:argoproj.io/v1alpha1:WorkflowTemplate",
  db: "postgresql:index/database:Database",
  role: "postgresql:index/role:Role",
};
const CM = "control-plane/workflow-controller-configmap";
const find = (report: ResourceReport, type: string, name: string): ReportedResource =>
  report.resources.find((r) => r.type === type && r.name === name)!;

describe("plan: the engine on real program runs", () => {
  it("plans nothing between two runs of the same config", async () => {
    // Two separate evaluations (run() would hand back its cached one twice).
    const { plan } = planOf(await run("prod"), await runProgram(loadReviewConfig("prod")));
    assert.deepEqual(plan.steps, []);
    assert.equal(plan.unchanged, (await run("prod")).resources.length);
  });

  it("archiveTTL on dev: the controller ConfigMap is an update if its provider makes ConfigMaps mutable, else a delete-first replacement", async () => {
    const { plan, head } = planOf(await run("dev"), await run("dev", { archiveTTL: "14d" }));
    const cm = step(plan, T.cm, CM);
    assert.deepEqual(cm.fields, ["data.persistence"]);
    if (kubernetesFlagsFor(head, find(head, T.cm, CM)).enableConfigMapMutable) {
      assert.equal(cm.action, "update");
    } else {
      assert.equal(cm.action, "replace");
      assert.equal(cm.replaceMode, "delete-first");
      assert.match(cm.replaceFields[0].rule, /enableConfigMapMutable is off/);
    }
    // Both binaries roll: the ConfigMap's checksum is on their pod templates.
    for (const name of ["control-plane/workflow-controller", "control-plane/argo-server"]) {
      const d = step(plan, T.deploy, name);
      assert.equal(d.action, "update");
      assert.deepEqual(d.fields, ['spec.template.metadata.annotations["argo-platform/config-checksum"]']);
    }
    assert.equal(plan.steps.length, 3, "nothing else changes");
  });

  it("serverReplicas 1→2 on prod: the Deployment is updated and a PodDisruptionBudget created", async () => {
    const { plan } = planOf(await run("prod", { serverReplicas: "1" }), await run("prod"));
    const d = step(plan, T.deploy, "control-plane/argo-server");
    assert.equal(d.action, "update");
    assert.deepEqual(d.fields, ["spec.replicas"]);
    assert.equal(step(plan, T.pdb, "control-plane/argo-server").action, "create");
    assert.deepEqual(plan.steps.map((s) => s.action).sort(), ["create", "update"]);
  });

  it("a new storage class for dev's database claim template replaces the StatefulSet delete-first, claim kept", async () => {
    const { plan } = planOf(await run("dev"), await run("dev", { databaseStorageClass: "fast" }));
    const s = step(plan, T.sts, "control-plane/archive-postgres");
    assert.equal(s.action, "replace");
    assert.equal(s.replaceMode, "delete-first");
    assert.equal(s.blocked, undefined, "not protected: the archive is the claim, which the retention policy keeps");
    assert.ok(s.replaceFields.some((f) => f.path.startsWith("spec.volumeClaimTemplates")));
  });

  it("a protected replacement is BLOCKED: prod's archive database with another encoding (head edited)", async () => {
    const base = resourceReport(await run("prod"));
    const head = clone(base);
    find(head, T.db, "archive-database").inputs.encoding = "LATIN1";
    const s = step(planChanges(base, head), T.db, "archive-database");
    assert.equal(s.action, "replace");
    assert.match(s.blocked ?? "", /^BLOCKED: protected/);
  });

  it("prod database rename and new login role: PostgreSQL renames in place, the credentials Secret is updated", async () => {
    const { plan } = planOf(
      await run("prod"),
      await run("prod", { databaseName: "argo_archive", databaseUser: "archive_writer" }),
    );
    const db = step(plan, T.db, "archive-database");
    assert.equal(db.action, "update", "ALTER DATABASE RENAME, not a new database");
    assert.deepEqual(db.fields.sort(), ["name", "owner"]);
    assert.equal(db.blocked, undefined);
    assert.equal(step(plan, T.role, "archive-role").action, "update");
    // The stack's provider makes Secrets mutable (diff.go: data forces replacement only without it).
    const secret = step(plan, T.secret, "control-plane/argo-archive-database");
    assert.equal(secret.action, "update");
    assert.deepEqual(secret.fields, ["stringData.username"]);
  });

  describe("a namespace rename", () => {
    it("on prod: both namespaces' objects are deleted and created anew, and the old namespace's deletion says what it destroys", async () => {
      const { plan } = planOf(await run("prod"), await run("prod", { controlPlaneNamespace: "argo-system" }));
      const old = step(plan, T.ns, "control-plane");
      assert.equal(old.action, "delete");
      const destroys = old.warnings.join();
      assert.match(destroys, /deleting namespace control-plane deletes every object in it: \d+ managed here/);
      assert.match(destroys, /Secret argo-archive-database/);
      assert.match(destroys, /claims and their volumes' data/);
      assert.equal(step(plan, T.ns, "argo-system").action, "create");
      assert.equal(step(plan, T.cm, CM).action, "delete");
      assert.equal(step(plan, T.cm, "argo-system/workflow-controller-configmap").action, "create");
      // New names: nothing meets an existing object.
      assert.ok(plan.steps.every((s) => !s.warnings.some((w) => /AlreadyExists/.test(w))));
    });

    it("on dev: the retained namespace is forgotten with its contents (archive claim included), nothing blocks", async () => {
      const { plan } = planOf(await run("dev"), await run("dev", { controlPlaneNamespace: "argo-system" }));
      const old = step(plan, T.ns, "control-plane");
      assert.equal(old.action, "delete");
      assert.match(old.reasons.join(), /forgotten \(the object stays in the cluster\)/);
      assert.match(old.reasons.join(), /the namespace control-plane and everything in it stay in the cluster/);
      const db = step(plan, T.sts, "control-plane/archive-postgres");
      assert.equal(db.action, "delete");
      assert.equal(db.blocked, undefined);
      const table = formatPlan(plan, { base: "a", head: "b" });
      assert.doesNotMatch(table, /BLOCKED/);
    });
  });

  describe("WorkflowTemplates added, removed and renamed", () => {
    let added: ProgramRun;
    let renamed: ProgramRun;
    before(async () => {
      added = await withTemplates("dev", (dir) => copyTemplate(dir, "platform-smoke-test", "second-smoke-test"));
      renamed = await withTemplates("dev", (dir) => {
        copyTemplate(dir, "http-check", "http-probe");
        fs.rmSync(path.join(dir, "http-check.yaml"));
      });
    });

    it("added: one create", async () => {
      const { plan } = planOf(await run("dev"), added);
      assert.deepEqual(
        plan.steps.map((s) => `${s.action} ${s.type} ${s.name}`),
        [`create ${T.wft} data-plane/second-smoke-test`],
      );
    });

    it("removed: one delete", async () => {
      const { plan } = planOf(added, await run("dev"));
      assert.deepEqual(
        plan.steps.map((s) => `${s.action} ${s.type} ${s.name}`),
        [`delete ${T.wft} data-plane/second-smoke-test`],
      );
    });

    it("renamed: the old template is deleted and the new one created (a new name, so no AlreadyExists)", async () => {
      const { plan } = planOf(await run("dev"), renamed);
      assert.deepEqual(plan.steps.map((s) => `${s.action} ${s.type} ${s.name}`).sort(), [
        `create ${T.wft} data-plane/http-probe`,
        `delete ${T.wft} data-plane/http-check`,
      ]);
      assert.ok(plan.steps.every((s) => s.warnings.length === 0));
    });
  });

  it("counts every change of a resource whose provider rules it does not know as a replacement, and says so", async () => {
    const base = resourceReport(await run("dev"));
    const unknown = (type: string, algorithm: string): ReportedResource => ({
      ...clone(base).resources.find((r) => r.type === T.cm)!,
      type,
      name: "key",
      urn: `urn:pulumi:dev::argo-platform::${type}::key`,
      parent: undefined,
      inputs: { algorithm, rsaBits: 4096 },
    });
    const withOne = (type: string, algorithm: string) => ({
      ...clone(base),
      resources: [...clone(base).resources, unknown(type, algorithm)],
    });
    for (const [type, note] of [
      ["tls:index/privateKey:PrivateKey", "tls: provider rules not known here"],
      [
        "postgresql:index/schema:Schema",
        "postgresql:index/schema:Schema: which inputs force replacement is not confirmed",
      ],
    ]) {
      const plan = planChanges(withOne(type, "RSA"), withOne(type, "ECDSA"));
      const key = step(plan, type, "key");
      assert.equal(key.action, "replace", type);
      assert.deepEqual(key.fields, ["algorithm"]);
      assert.ok(
        key.reasons.some((n) => n.startsWith(note)),
        key.reasons.join("\n"),
      );
      assert.deepEqual(planChanges(withOne(type, "RSA"), withOne(type, "RSA")).steps, []);
    }
  });

  describe("URNs, aliases and providers (the head report edited as a program change would)", () => {
    const rename = (report: ResourceReport, from: string, to: string) => {
      for (const r of report.resources) {
        r.urn = r.urn.split(from).join(to);
        if (r.parent) r.parent = r.parent.split(from).join(to);
      }
    };

    it("a resource renamed with an alias to its old URN is the same resource, not a delete and a create", async () => {
      const base = resourceReport(await run("dev"));
      const head = clone(base);
      const cm = find(head, T.cm, CM);
      const oldUrn = cm.urn;
      cm.name = "controller-configmap";
      cm.urn = oldUrn.replace(/::[^:]+$/, "::controller-configmap");
      cm.aliases = [oldUrn];
      const plan = planChanges(base, head);
      const s = step(plan, T.cm, "controller-configmap");
      assert.equal(s.action, "update");
      assert.equal(s.oldUrn, oldUrn);
      assert.equal(plan.steps.length, 1);
    });

    it("without the alias, the same object is created before the old one is deleted: AlreadyExists", async () => {
      const base = resourceReport(await run("dev"));
      const head = clone(base);
      const cm = find(head, T.cm, CM);
      cm.name = "controller-configmap";
      cm.urn = cm.urn.replace(/::[^:]+$/, "::controller-configmap");
      const plan = planChanges(base, head);
      assert.equal(step(plan, T.cm, CM).action, "delete");
      const created = step(plan, T.cm, "controller-configmap");
      assert.equal(created.action, "create");
      assert.match(created.warnings.join(), /AlreadyExists \(pulumi-kubernetes >= 4\.29 creates client-side, #4278\)/);
    });

    it("a component whose type changes with an alias carries its children along (inheritedChildAlias)", async () => {
      const base = resourceReport(await run("dev"));
      const head = clone(base);
      rename(head, "argo-platform:argo:ControllerConfig", "argo-platform:argo:ControllerSettings");
      const component = head.resources.find((r) => r.type === "argo-platform:argo:ControllerConfig")!;
      component.type = "argo-platform:argo:ControllerSettings";
      component.aliases = [base.resources.find((r) => r.type === "argo-platform:argo:ControllerConfig")!.urn];
      const plan = planChanges(base, head);
      assert.deepEqual(plan.steps.map((s) => `${s.action} ${s.type}`).sort(), [
        "rename argo-platform:argo:ControllerSettings",
        `update ${T.cm}`,
      ]);
      assert.match(
        step(plan, "argo-platform:argo:ControllerSettings", "controller-config").reasons.join(),
        /renamed, aliased/,
      );
    });

    it("the switch from the default provider to the stack's explicit one replaces nothing (step_generator providerChanged)", async () => {
      // The base is this program as it was before the cluster binding: every Kubernetes object on the default
      // provider, which used the current context; the head binds them to the stack's context.
      const head = resourceReport(await run("dev"));
      const plan = planChanges(await onDefaultProvider(head), head);
      assert.deepEqual(
        plan.steps.filter((s) => s.action === "replace" || s.action === "delete").map((s) => `${s.action} ${s.name}`),
        [],
      );
      assert.deepEqual(
        plan.steps
          .filter((s) => s.custom && s.action === "create")
          .map((s) => s.name)
          .sort(),
        ["kubernetes", "kubernetes-retained-objects"],
      );
      assert.match(
        plan.notes.join(),
        /resources move \(provider the default provider \(default_[\d_]+\) → provider kubernetes\) without replacement/,
      );
    });

    it("a provider whose cluster identity changes takes every object with it, create-first", async () => {
      const head = resourceReport(await run("dev"));
      const providerName = "kubernetes";
      const moved = clone(head);
      find(moved, "pulumi:providers:kubernetes", providerName).inputs.clusterIdentifier = "b";
      const before = clone(head);
      find(before, "pulumi:providers:kubernetes", providerName).inputs.clusterIdentifier = "a";
      const replan = planChanges(before, moved);
      assert.equal(step(replan, "pulumi:providers:kubernetes", providerName).action, "replace");
      const cm = step(replan, T.cm, CM);
      assert.equal(cm.action, "replace");
      assert.equal(cm.replaceMode, "create-first");
      assert.deepEqual(
        cm.replaceFields.map((f) => f.path),
        ["provider"],
      );
    });

    it("a new stack plans as all-create, a removed one as all-delete (protected ones BLOCKED)", async () => {
      const report = resourceReport(await run("prod"));
      const empty: ResourceReport = { stack: "prod", resources: [], outputs: {} };
      const created = planChanges(empty, report);
      assert.ok(created.steps.filter((s) => s.custom).every((s) => s.action === "create"));
      const deleted = planChanges(report, empty);
      assert.ok(deleted.steps.filter((s) => s.custom).every((s) => s.action === "delete"));
      assert.equal(step(deleted, T.db, "archive-database").blocked?.startsWith("BLOCKED"), true);
    });

    it("an old render without digests or provider references still plans, and says what it cannot see", async () => {
      const head = resourceReport(await run("prod"));
      const base = clone(head);
      delete base.defaultProviders;
      for (const r of base.resources) {
        delete r.provider;
        delete r.custom;
        if (r.type === T.secret && r.inputs.stringData) r.inputs.stringData = "<redacted>";
        if (r.type === T.role) r.inputs.password = "<redacted>";
      }
      const plan = planChanges(base, head);
      assert.deepEqual(plan.steps, []);
      assert.match(plan.notes.join("\n"), /predates secret digests/);
      assert.match(plan.notes.join("\n"), /predates provider references/);
    });
  });
});

// --- The CLI against a real git history ----------------------------------------------------------------------------

describe("plan: npm run plan against a git ref", () => {
  // A clone holds only committed code; the test must exercise this working tree's tools, so it commits a copy of the
  // project (projectCopy) into a fresh repository in a temporary directory instead. Nothing is written to this one.
  let repo: { root: string; remove: () => void };
  const git = (...args: string[]) => {
    const r = spawnSync(
      "git",
      [
        "-c",
        "user.name=plan-test",
        "-c",
        "user.email=plan-test@example.invalid",
        "-c",
        "commit.gpgsign=false",
        ...args,
      ],
      { cwd: repo.root, encoding: "utf8" },
    );
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const plan = (...args: string[]) =>
    spawnSync(process.execPath, ["tools/plan.ts", "--stack", "dev", ...args], { cwd: repo.root, encoding: "utf8" });

  before(() => {
    repo = projectCopy();
    git("init", "--quiet", "--initial-branch=main");
    fs.writeFileSync(path.join(repo.root, ".git", "info", "exclude"), "node_modules\n");
    git("add", "-A");
    git("commit", "--quiet", "-m", "base");
    fs.appendFileSync(path.join(repo.root, "Pulumi.dev.yaml"), "  argo-platform:archiveTTL: 14d\n");
    git("commit", "--quiet", "-am", "keep the archive for two weeks");
  });
  after(() => repo.remove());

  it("renders the base in a throw-away worktree and names the change, exiting 0", () => {
    const r = plan("--base", "HEAD~1");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Plan for stack dev: HEAD~1 \([0-9a-f]{12}\) → working tree/);
    assert.match(
      r.stdout,
      /update kubernetes:core\/v1:ConfigMap control-plane\/workflow-controller-configmap — changes data\.persistence/,
    );
    assert.match(r.stdout, /update kubernetes:apps\/v1:Deployment control-plane\/argo-server — changes spec\.template/);
    assert.match(r.stdout, /Unchanged: \d+ resources\./);
    assert.equal(git("worktree", "list").trim().split("\n").length, 1, "the base worktree is removed");
  });

  it("prints the same plan as JSON for machines", () => {
    const r = plan("--base", "HEAD~1", "--json");
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.stack, "dev");
    const cm = json.steps.find((s: PlanStep) => s.name === CM);
    assert.equal(cm.action, "update", "the stack's provider makes ConfigMaps mutable");
  });

  it("plans a stack that the base has no stack file for as all-create", () => {
    fs.copyFileSync(path.join(repo.root, "Pulumi.dev.yaml"), path.join(repo.root, "Pulumi.qa.yaml"));
    try {
      const r = spawnSync(process.execPath, ["tools/plan.ts", "--stack", "qa", "--base", "HEAD", "--json"], {
        cwd: repo.root,
        encoding: "utf8",
      });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /no Pulumi\.qa\.yaml, so no resources/);
      const steps: PlanStep[] = JSON.parse(r.stdout).steps;
      assert.ok(steps.length > 40);
      assert.deepEqual([...new Set(steps.filter((s) => s.custom).map((s) => s.action))], ["create"]);
    } finally {
      fs.rmSync(path.join(repo.root, "Pulumi.qa.yaml"));
    }
  });

  it("says plainly when the ref is unknown, and how to fetch it in a shallow checkout", () => {
    const unknown = plan("--base", "no-such-ref");
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /Unknown git ref no-such-ref/);
    const shallow = fs.mkdtempSync(path.join(os.tmpdir(), "plan-shallow-"));
    try {
      const c = spawnSync("git", ["clone", "--quiet", "--depth", "1", `file://${repo.root}`, shallow], {
        encoding: "utf8",
      });
      assert.equal(c.status, 0, c.stderr);
      fs.symlinkSync(fs.realpathSync(path.join(repo.root, "node_modules")), path.join(shallow, "node_modules"), "dir");
      const r = spawnSync(process.execPath, ["tools/plan.ts", "--stack", "dev", "--base", "HEAD~1"], {
        cwd: shallow,
        encoding: "utf8",
      });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /shallow/);
      assert.match(r.stderr, /git fetch --depth=<n>/);
      assert.match(r.stderr, /fetch-depth: 0/);
    } finally {
      fs.rmSync(shallow, { recursive: true, force: true });
    }
  });

  it("says plainly when the base has no render tool, and removes the worktree", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repo.root, "package.json"), "utf8"));
    delete pkg.scripts.render;
    const original = fs.readFileSync(path.join(repo.root, "package.json"), "utf8");
    fs.writeFileSync(path.join(repo.root, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
    git("commit", "--quiet", "-am", "a base without render");
    // The working tree renders (its package.json has the script again); the base commit cannot.
    fs.writeFileSync(path.join(repo.root, "package.json"), original);
    const r = plan("--base", "HEAD");
    assert.equal(r.status, 1);
    assert.match(r.stderr, /has no render tool/);
    assert.match(r.stderr, /--base-render/);
    assert.equal(git("worktree", "list").trim().split("\n").length, 1);
  });
});
