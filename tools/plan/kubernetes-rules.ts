// How pulumi-kubernetes (v4.32 to v4.34) decides update, replacement and delete-first for an object, and when a
// change of its provider's configuration replaces everything on it. Each rule cites the provider source it mirrors:
// github.com/pulumi/pulumi-kubernetes provider/pkg/provider/{diff.go,provider.go,util.go}, provider/pkg/metadata.
import * as YAML from "yaml";
import type { Change, ResourceDiff } from "./diff.ts";
import { changedKeys, configStrings, deepEqual, diffInputs, formatPath, withoutIgnored } from "./diff.ts";

/** The provider settings that change a diff's outcome, with where each came from (for the plan's reasons). */
export interface KubernetesFlags {
  enableConfigMapMutable: boolean;
  enableSecretMutable: boolean;
  upsertExistingObjects: boolean;
  /** e.g. `the default provider` or `provider k8s`; says where the flags were read. */
  source: string;
  /** Flags the provider does not set: it then falls back to PULUMI_K8S_* variables where `pulumi up` runs. */
  unset: string[];
}

/**
 * Reads the flags from a provider's inputs (explicit provider) or a default provider's stack config, as
 * provider.go Configure does: `vars["kubernetes:config:<flag>"] == "true"`; when unset, an environment variable of
 * the machine running pulumi decides (PULUMI_K8S_ENABLE_CONFIGMAP_MUTABLE and friends), which a plan cannot see.
 */
export function kubernetesFlags(inputs: Record<string, unknown> | undefined, source: string): KubernetesFlags {
  const config = configStrings(inputs);
  const flag = (k: string) => config[k] === "true";
  const names = ["enableConfigMapMutable", "enableSecretMutable", "upsertExistingObjects"];
  return {
    enableConfigMapMutable: flag("enableConfigMapMutable"),
    enableSecretMutable: flag("enableSecretMutable"),
    upsertExistingObjects: flag("upsertExistingObjects"),
    source,
    unset: names.filter((k) => !(k in config)),
  };
}

/** The environment variable Configure falls back to when a flag is not set on the provider. */
export const FLAG_ENV: Record<string, string> = {
  enableConfigMapMutable: "PULUMI_K8S_ENABLE_CONFIGMAP_MUTABLE",
  enableSecretMutable: "PULUMI_K8S_ENABLE_SECRET_MUTABLE",
  upsertExistingObjects: "PULUMI_K8S_UPSERT_EXISTING_OBJECTS",
};

// diff.go forceNew: JSONPaths whose change replaces the object, per group, version and kind.
const labelSelector = (prefix: string) => [
  prefix + ".matchExpressions",
  prefix + ".matchExpressions.key",
  prefix + ".matchExpressions.operator",
  prefix + ".matchExpressions.values",
  prefix + ".matchLabels",
];
const container = (...prefixes: string[]) =>
  prefixes.flatMap((prefix) =>
    [
      "args",
      "command",
      "env",
      "env.value",
      "image",
      "imagePullPolicy",
      "lifecycle",
      "livenessProbe",
      "ports",
      "readinessProbe",
      "resources",
      "securityContext",
      "stdin",
      "stdinOnce",
      "terminationMessagePath",
      "terminationMessagePolicy",
      "tty",
      "volumeDevices",
      "volumeMounts",
      "workingDir",
    ].map((f) => `${prefix}.${f}`),
  );
const daemonSetOrDeployment = [".spec.selector", ...labelSelector(".spec.selector")];
const statefulSet = [
  ".spec.podManagementPolicy",
  ".spec.revisionHistoryLimit",
  ".spec.selector",
  ".spec.serviceName",
  ".spec.volumeClaimTemplates",
  ...labelSelector(".spec.selector"),
];
const job = [
  ".spec.completions",
  ".spec.parallelism",
  ".spec.selector",
  ".spec.template",
  ...labelSelector(".spec.selector"),
];
const roleBinding = [".roleRef"];
const core: Record<string, Record<string, string[]>> = {
  v1: {
    PersistentVolume: [
      "awsElasticBlockStore",
      "azureDisk",
      "azureFile",
      "cephfs",
      "cinder",
      "csi",
      "fc",
      "flexVolume",
      "flocker",
      "gcePersistentDisk",
      "glusterfs",
      "hostPath",
      "iscsi",
      "local",
      "nfs",
      "photonPersistentDisk",
      "portworxVolume",
      "quobyte",
      "rbd",
      "scaleIO",
      "storageos",
      "vsphereVolume",
    ].map((f) => `.spec.${f}`),
    PersistentVolumeClaim: [
      ".spec.accessModes",
      ".spec.selector",
      ".spec.storageClassName",
      ".spec.volumeName",
      ...labelSelector(".spec.selector"),
    ],
    Pod: [
      ...[
        "affinity",
        "automountServiceAccountToken",
        "dnsConfig",
        "dnsPolicy",
        "enableServiceLinks",
        "hostAliases",
        "hostIPC",
        "hostNetwork",
        "hostPID",
        "hostname",
        "imagePullSecrets",
        "nodeName",
        "nodeSelector",
        "overhead",
        "preemptionPolicy",
        "priority",
        "priorityClassName",
        "readinessGates",
        "restartPolicy",
        "runtimeClassName",
        "schedulerName",
        "securityContext",
        "serviceAccount",
        "serviceAccountName",
        "shareProcessNamespace",
        "subdomain",
        "terminationGracePeriodSeconds",
        "volumes",
      ].map((f) => `.spec.${f}`),
      ...container(".spec.containers[*]", ".spec.initContainers[*]"),
    ],
    ResourceQuota: [".spec.scopes"],
    Secret: [".type"],
    Service: [".spec.clusterIP"],
  },
};
export const FORCE_NEW: Record<string, Record<string, Record<string, string[]>>> = {
  // "NOTE: .spec.selector triggers a replacement in Deployment/DaemonSet only AFTER v1beta1."
  apps: {
    v1beta1: { StatefulSet: statefulSet },
    v1beta2: { DaemonSet: daemonSetOrDeployment, Deployment: daemonSetOrDeployment, StatefulSet: statefulSet },
    v1: { DaemonSet: daemonSetOrDeployment, Deployment: daemonSetOrDeployment, StatefulSet: statefulSet },
  },
  core,
  "": core,
  // Only policy/v1beta1: a policy/v1 PodDisruptionBudget is updated in place.
  policy: { v1beta1: { PodDisruptionBudget: [".spec"] } },
  "rbac.authorization.k8s.io": {
    v1alpha1: { ClusterRoleBinding: roleBinding, RoleBinding: roleBinding },
    v1beta1: { ClusterRoleBinding: roleBinding, RoleBinding: roleBinding },
    v1: { ClusterRoleBinding: roleBinding, RoleBinding: roleBinding },
  },
  "storage.k8s.io": { v1: { StorageClass: [".parameters", ".provisioner"] } },
  batch: { v1beta1: { Job: job }, v1: { Job: job }, v2alpha1: { Job: job } },
};

export function groupVersion(apiVersion: string): { group: string; version: string } {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  return { group, version };
}

const isSecret = (obj: any) => obj.apiVersion === "v1" && obj.kind === "Secret";
const isConfigMap = (obj: any) => obj.apiVersion === "v1" && obj.kind === "ConfigMap";
const isImmutable = (obj: any) => obj.immutable === true;

/**
 * diff.go forceNewProperties: the object's identity (`.metadata.name`, `.metadata.namespace`) for every kind, plus
 * the kind's own fields; a Secret's `.type`, `.stringData` and `.data` unless the provider enables mutable Secrets and
 * the Secret is not `immutable: true`; a ConfigMap's `.data` and `.binaryData` likewise with enableConfigMapMutable.
 * The Secret/ConfigMap special cases sit inside the group/version lookup, so they apply to core v1 only.
 */
export function forceNewProperties(
  obj: any,
  flags: Pick<KubernetesFlags, "enableConfigMapMutable" | "enableSecretMutable">,
) {
  const props = [".metadata.name", ".metadata.namespace"];
  const { group, version } = groupVersion(obj.apiVersion ?? "");
  const kinds = FORCE_NEW[group]?.[version];
  if (kinds) {
    if (isSecret(obj) && (!flags.enableSecretMutable || isImmutable(obj))) props.push(".type", ".stringData", ".data");
    else if (kinds[obj.kind]) props.push(...kinds[obj.kind]);
    else if (isConfigMap(obj) && (!flags.enableConfigMapMutable || isImmutable(obj)))
      props.push(".binaryData", ".data");
  }
  return props;
}

/**
 * Whether a change at `change.path` hits the JSONPath `forceNew` (openapi/match.go PatchPropertiesChanged, run on
 * the patch sliced down to the change as provider.go addPatchValueToDiff does): walking the path through the change's
 * location and then into its value must find something. A forceNew path above the change matches any change under
 * it; one below matches when the added or updated value contains it; a deletion matches only at or under it.
 * (`[*]` matches any array element; jsonpath's reporting of an empty array is not reproduced.)
 */
export function forceNewMatches(forceNew: string, change: Pick<Change, "path" | "kind" | "new">): boolean {
  const segments = forceNew
    .replace(/\[\*\]/g, ".*")
    .split(".")
    .filter((s) => s !== "");
  const walkValue = (value: unknown, rest: string[]): boolean => {
    if (rest.length === 0) return true;
    const [seg, ...tail] = rest;
    if (seg === "*") return Array.isArray(value) && value.some((v) => walkValue(v, tail));
    if (!value || typeof value !== "object" || Array.isArray(value) || !(seg in value)) return false;
    return walkValue((value as Record<string, unknown>)[seg], tail);
  };
  for (let i = 0; i < segments.length; i++) {
    if (i === change.path.length) {
      if (change.kind === "delete") return false;
      return walkValue(change.new, segments.slice(i));
    }
    const seg = segments[i];
    const at = change.path[i];
    if (seg === "*" ? typeof at !== "number" : seg !== at) return false;
  }
  return true;
}

/** Kinds that live outside namespaces; the provider clears a namespace set on them (provider.go Diff). */
const CLUSTER_SCOPED = new Set([
  "Namespace",
  "Node",
  "PersistentVolume",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "StorageClass",
  "PriorityClass",
  "RuntimeClass",
  "CSIDriver",
  "CSINode",
  "VolumeAttachment",
  "IngressClass",
  "APIService",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "ClusterWorkflowTemplate",
]);

/** Namespace as the provider compares it: "default" when unset on a namespaced kind, none on a cluster-scoped one. */
export function canonicalNamespace(obj: any): string {
  if (CLUSTER_SCOPED.has(obj?.kind)) return "";
  return obj?.metadata?.namespace || "default";
}

function withCanonicalNamespace(obj: any): any {
  const ns = canonicalNamespace(obj);
  const metadata = { ...obj.metadata };
  if (ns) metadata.namespace = ns;
  else delete metadata.namespace;
  return { ...obj, metadata };
}

/** A `*Patch` resource (kinds/util.go IsPatchResource): its type name is the object's kind plus "Patch". */
export function isPatchResource(type: string, kind: string | undefined): boolean {
  return !!kind && type.split(":").pop() === `${kind}Patch`;
}

/**
 * provider.go Diff, on the old inputs against the new ones (the provider diffs the live object pruned to the old
 * inputs' shape, which equals the old inputs unless something outside Pulumi changed the object: drift is not
 * visible offline).
 */
export function kubernetesDiff(args: {
  type: string;
  old: any;
  new: any;
  flags: Pick<KubernetesFlags, "enableConfigMapMutable" | "enableSecretMutable">;
  ignoreChanges?: string[];
}): ResourceDiff {
  const oldObj = withCanonicalNamespace(args.old);
  const newObj = withCanonicalNamespace(args.new);
  const raw = diffInputs(oldObj, newObj);
  // "Changing the identity of the resource always causes a replacement"; Patch resources only that.
  const forceNew = isPatchResource(args.type, newObj.kind)
    ? [".metadata.name", ".metadata.namespace"]
    : forceNewProperties(newObj, args.flags);
  const changes = withoutIgnored(raw.changes, args.ignoreChanges ?? []).map((c) => {
    const hit = forceNew.find((f) => forceNewMatches(f, c));
    // provider.go Diff: a deleted `metadata` replaces too.
    const metadataDeleted = c.kind === "delete" && c.path.length === 1 && c.path[0] === "metadata";
    return { ...c, replace: !!hit || metadataDeleted, because: hit ?? (metadataDeleted ? "metadata" : undefined) };
  });
  const replaces = changes.filter((c) => c.replace).map((c) => formatPath(c.path));
  // provider.go Diff: delete before replace when replacing an object that is named, not autonamed, and keeps its
  // name and namespace (the new one cannot exist beside the old). An object without a name is autonamed by Check
  // (metadata.AssignNameIfAutonamable), so it is replaced create-first.
  const name = newObj.metadata?.name;
  const autonamed = !name || newObj.metadata?.annotations?.["pulumi.com/autonamed"] === "true";
  const deleteBeforeReplace =
    replaces.length > 0 &&
    !autonamed &&
    name === oldObj.metadata?.name &&
    canonicalNamespace(newObj) === canonicalNamespace(oldObj);
  return { changes, replaces, deleteBeforeReplace, uncomparable: raw.uncomparable, notes: [] };
}

export interface ConfigDiff {
  diffs: string[];
  replaces: string[];
  /** Why the outcome is what it is, in words, for the plan. */
  reasons: string[];
  /** Set when the outcome depends on something only the machine running pulumi has (a kubeconfig file). */
  assumption?: string;
}

/**
 * provider.go DiffConfig: a provider configuration change replaces the provider (and so everything on it) when
 * `clusterIdentifier` changes from one value to another; when it is set and unchanged, never (that is its purpose);
 * otherwise when `renderYamlToDirectory` changes, or when the kubeconfig's active cluster (after `context` and
 * `cluster` overrides, util.go getActiveClusterFromConfig) differs, in which case each of `kubeconfig`, `context`,
 * `cluster` that changed is a replace key. A kubeconfig that is absent or has no active cluster replaces nothing.
 */
export function kubernetesDiffConfig(
  oldInputs: Record<string, unknown>,
  newInputs: Record<string, unknown>,
): ConfigDiff {
  const olds = configStrings(oldInputs);
  const news = configStrings(newInputs);
  const diffs = changedKeys(olds, news);
  const reasons: string[] = [];
  if (diffs.length === 0) return { diffs, replaces: [], reasons };
  const replaces: string[] = [];
  const id = "clusterIdentifier";
  if (id in olds && id in news && olds[id] !== news[id]) {
    replaces.push(id);
    reasons.push(`clusterIdentifier changed (${olds[id]} → ${news[id]})`);
  }
  const identifierHolds = id in olds && id in news && olds[id] === news[id];
  if (diffs.includes("renderYamlToDirectory")) {
    replaces.push("renderYamlToDirectory");
    reasons.push("renderYamlToDirectory changed");
  }
  let assumption: string | undefined;
  const clusterKeys = ["kubeconfig", "context", "cluster"].filter((k) => diffs.includes(k));
  if (clusterKeys.length) {
    const before = activeCluster(olds);
    const after = activeCluster(news);
    const noConfig = (side: ActiveCluster) => !side.found && !side.unknowable;
    if (noConfig(before) || noConfig(after)) {
      // DiffConfig replaces only when both sides have an active cluster.
      reasons.push(`${clusterKeys.join(", ")} changed, but one side has no kubeconfig with an active cluster`);
    } else if (before.unknowable || after.unknowable) {
      replaces.push(...clusterKeys);
      assumption =
        "kubeconfig names a file; DiffConfig compares the active clusters of the files where pulumi runs: assumed different";
      reasons.push(`${clusterKeys.join(", ")} changed (${assumption})`);
    } else if (!deepEqual(before.cluster, after.cluster)) {
      replaces.push(...clusterKeys);
      reasons.push(`the kubeconfig's active cluster changed (${clusterKeys.join(", ")})`);
    } else {
      reasons.push(`${clusterKeys.join(", ")} changed, the active cluster did not`);
    }
  }
  if (identifierHolds && replaces.length) {
    reasons.push(`clusterIdentifier ${news[id]} is set and unchanged: no replacement`);
    return { diffs, replaces: [], reasons };
  }
  return { diffs, replaces, reasons, ...(assumption ? { assumption } : {}) };
}

interface ActiveCluster {
  found: boolean;
  cluster?: unknown;
  /** The kubeconfig names a file: only the machine running pulumi can read it. */
  unknowable?: boolean;
}

/** util.go parseKubeconfigPropertyValue + getActiveClusterFromConfig, for kubeconfig contents given inline. */
function activeCluster(config: Record<string, string>): ActiveCluster {
  const text = config.kubeconfig ?? "";
  if (text === "") return { found: false };
  let parsed: any;
  // parseKubeconfigString: a path to an existing file is read; anything else is taken as the contents.
  const looksInline = /[\n{]/.test(text) || /^\s*(apiVersion|clusters|contexts|kind|current-context)\s*:/m.test(text);
  if (!looksInline) return { found: false, unknowable: true };
  try {
    parsed = YAML.parse(text);
  } catch {
    return { found: false };
  }
  const named = (list: any, field: string) =>
    Object.fromEntries((Array.isArray(list) ? list : []).map((e: any) => [e?.name, e?.[field]]));
  const clusters = named(parsed?.clusters, "cluster");
  const contexts = named(parsed?.contexts, "context");
  if (Object.keys(clusters).length === 0) return { found: false };
  const current = config.context ?? parsed?.["current-context"];
  const context = contexts[current];
  if (!context) return { found: false };
  const cluster = config.cluster !== undefined ? clusters[config.cluster] : clusters[context.cluster];
  return cluster ? { found: true, cluster } : { found: false };
}

/** An object's identity in the cluster: API group (any version serves the same object), kind, namespace, name. */
export function objectIdentity(obj: any): string | undefined {
  if (!obj?.kind || !obj?.metadata?.name) return undefined;
  return `${groupVersion(obj.apiVersion ?? "").group}/${obj.kind} ${canonicalNamespace(obj) || "(cluster)"}/${obj.metadata.name}`;
}
