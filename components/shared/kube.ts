// Naming, labels and the hardened pod building blocks that every component shares.
import type * as k8s from "./k8s.ts";
import type * as pulumi from "@pulumi/pulumi";

/** Names that people and Argo rely on. They are part of the product's interface: change them only with a migration. */
export const NAMES = {
  controllerServiceAccount: "controller-service-account",
  serverServiceAccount: "server-service-account",
  executorServiceAccount: "data-plane-service-account",
  /** Argo looks the executor's token up under `<account>.service-account-token` (util/secrets/secret_name.go). */
  executorTokenSecret: "data-plane-service-account.service-account-token",
  uiViewerServiceAccount: "ui-viewer-service-account",
  uiAuthorServiceAccount: "ui-author-service-account",
  /** Both binaries read this ConfigMap by name (`--configmap`) from their own namespace. */
  controllerConfigMap: "workflow-controller-configmap",
  /** Archive database credentials (keys `username`, `password`), read by name via the ConfigMap. */
  archiveSecret: "argo-archive-database",
  archiveDatabaseService: "archive-postgres",
  /** The external archive server's CA (key `ca.crt`), when the stack names one. */
  archiveCaConfigMap: "argo-archive-database-ca",
  serverService: "argo-server",
  controllerDeployment: "workflow-controller",
  serverDeployment: "argo-server",
  /** argo-server's certificate when this program keeps it (serverTlsCertificate). */
  serverTlsSecret: "argo-server-tls",
  /** In the data plane; the controller and argo-server look it up by this name (workflow/artifactrepositories). */
  artifactRepositories: "artifact-repositories",
  /** Credentials of the artifact store in the data plane (keys `accessKey`, `secretKey`), named in the ConfigMap. */
  artifactSecret: "argo-artifact-store",
  /** The dev object store (S3-compatible) in the control plane, and its credentials there. */
  objectStoreService: "artifact-store",
  objectStoreSecret: "artifact-store-root",
} as const;

/** Component values of the `app.kubernetes.io/component` label, one per workload or concern. */
export type Component =
  "controller" | "server" | "executor" | "archive-database" | "artifact-store" | "ui" | "platform";

const PART_OF = "argo-workflows";

/** Labels every object carries; a selector uses `selectorLabels` (the stable subset). */
export function labels(component: Component): Record<string, string> {
  return { ...selectorLabels(component), "app.kubernetes.io/managed-by": "pulumi" };
}

export function selectorLabels(component: Component): Record<string, string> {
  return { "app.kubernetes.io/part-of": PART_OF, "app.kubernetes.io/component": component };
}

/**
 * The one naming scheme for Pulumi resources: a Kubernetes object's logical name is `<namespace>/<name>` (or
 * `<name>` for cluster-scoped objects), as in `kubectl`; every object gets an explicit Kubernetes name, so manifests
 * render deterministically and reviewers see real names in diffs. (Explicitly named objects are replaced
 * delete-first by the Kubernetes provider; the README says which changes cause that.)
 */
export function logicalName(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function metadata(
  namespace: pulumi.Input<string> | undefined,
  name: string,
  component: Component,
  extra: { labels?: Record<string, string>; annotations?: Record<string, pulumi.Input<string>> } = {},
): k8s.types.input.meta.v1.ObjectMeta {
  return {
    name,
    ...(namespace === undefined ? {} : { namespace }),
    labels: { ...labels(component), ...extra.labels },
    ...(extra.annotations ? { annotations: extra.annotations } : {}),
  };
}

/** Argo's images run as this uid (argoexec's Dockerfile); PostgreSQL's official image uses 999. */
export const ARGO_UID = 8737;

/** Pod-level settings that Pod Security `restricted` requires, plus an explicit non-root uid. */
export function restrictedPodSecurityContext(uid: number) {
  // Plain values (not Inputs): the template rules read them too, through workflowDefaults.
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: "RuntimeDefault" },
  } satisfies k8s.types.input.core.v1.PodSecurityContext;
}

/** Container-level settings for every container we run: nothing writable but declared volumes, no privileges. */
export const RESTRICTED_CONTAINER_SECURITY_CONTEXT: k8s.types.input.core.v1.SecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/** Where in-cluster clients look for the API token, CA and namespace (client-go's rest.InClusterConfig). */
export const SERVICE_ACCOUNT_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";

/**
 * Automount is off on every account and pod, so the two Argo binaries get their API credentials from this explicit
 * projected volume instead: a token that the kubelet rotates (valid one hour), the cluster CA, and the namespace
 * file (without it both binaries fall back to namespace `default` and look for their ConfigMap there).
 */
export function apiAccessVolume(): k8s.types.input.core.v1.Volume {
  return {
    name: "kube-api-access",
    projected: {
      defaultMode: 0o444,
      sources: [
        { serviceAccountToken: { path: "token", expirationSeconds: 3600 } },
        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
        {
          downwardAPI: {
            items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }],
          },
        },
      ],
    },
  };
}

export const API_ACCESS_MOUNT: k8s.types.input.core.v1.VolumeMount = {
  name: "kube-api-access",
  mountPath: SERVICE_ACCOUNT_MOUNT_PATH,
  readOnly: true,
};

/** Resource requests and limits, written once per workload where it is declared. */
export function resources(cpuRequest: string, memoryRequest: string, cpuLimit: string, memoryLimit: string) {
  return { requests: { cpu: cpuRequest, memory: memoryRequest }, limits: { cpu: cpuLimit, memory: memoryLimit } };
}
