// The RBAC rules of every identity, each with the code path that needs it (Argo v4.1.2 sources unless said otherwise).
import { NAMES } from "./shared/kube.ts";

export interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

const core = (resources: string[], verbs: string[], resourceNames?: string[]): Rule => ({
  apiGroups: [""],
  resources,
  verbs,
  ...(resourceNames ? { resourceNames } : {}),
});
const argo = (resources: string[], verbs: string[]): Rule => ({ apiGroups: ["argoproj.io"], resources, verbs });

/** Workflow controller in the data plane: it builds and drives every workflow pod there. */
export const CONTROLLER_DATA_PLANE: Rule[] = [
  // workflow/controller/workflowpod.go creates the pods; exec is how it signals containers to stop.
  core(["pods", "pods/exec"], ["create", "get", "list", "watch", "update", "patch", "delete"]),
  // Informers for ConfigMaps referenced by workflows (semaphores, parameters, memoization lookups) sync at start;
  // `create` is for offloading templates too large for a pod's environment (workflowpod.go). Nobody else may write.
  core(["configmaps"], ["get", "list", "watch", "create"]),
  // volumeClaimTemplates and their garbage collection (volumeClaimGC).
  core(["persistentvolumeclaims", "persistentvolumeclaims/finalizers"], ["create", "update", "delete", "get"]),
  // The reconcile loop itself; task sets and artifact-GC tasks are informers that must sync even when unused.
  argo(
    ["workflows", "workflows/finalizers", "workflowtasksets", "workflowtasksets/finalizers", "workflowartifactgctasks"],
    ["get", "list", "watch", "update", "patch", "delete", "create"],
  ),
  // Resolving workflowTemplateRef; the controller never writes templates.
  argo(["workflowtemplates", "workflowtemplates/finalizers"], ["get", "list", "watch"]),
  // Results that the executor reports; cleaned up with the workflow.
  argo(["workflowtaskresults"], ["list", "watch", "deletecollection"]),
  // The cron controller (workflow/cron) reads schedules and records their status.
  argo(["cronworkflows", "cronworkflows/finalizers"], ["get", "list", "watch", "update", "patch", "delete"]),
  // Finding the executor's token Secret through its ServiceAccount (getServiceAccountTokenName).
  core(["serviceaccounts"], ["get", "list"]),
  // Secrets that templates reference (artifact credentials); the executor token is mounted, not read.
  core(["secrets"], ["get"]),
  // Workflow and pod events.
  core(["events"], ["create", "patch"]),
  // spec.podDisruptionBudget of a workflow.
  { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: ["create", "get", "delete"] },
];

/** Workflow controller in its own namespace. No write access to ConfigMaps: memoization caches are not offered. */
export const CONTROLLER_CONTROL_PLANE: Rule[] = [
  // Its ConfigMap: read at start and watched for changes (newControllerConfigMapInformer checks list/watch on the
  // namespace, so this cannot be narrowed by resourceNames).
  core(["configmaps"], ["get", "list", "watch"]),
  // The archive database credentials named in the ConfigMap's persistence block, and nothing else.
  core(["secrets"], ["get"], [NAMES.archiveSecret]),
  // Leader election (cmd/workflow-controller/main.go): a Lease named workflow-controller. Create cannot be
  // narrowed by name; get and update can.
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
  {
    apiGroups: ["coordination.k8s.io"],
    resources: ["leases"],
    verbs: ["get", "update"],
    resourceNames: ["workflow-controller"],
  },
  // The leader-election event recorder.
  core(["events"], ["create", "patch"]),
];

/** argo-server (client auth mode) in its own namespace: configuration, the archive's credentials, its certificate. */
export function serverControlPlane(tlsSecretName: string): Rule[] {
  return [
    // config/controller.go reads the ConfigMap by name at start.
    core(["configmaps"], ["get"], [NAMES.controllerConfigMap]),
    // The server serves the archive to the UI, so it opens the same database; `--tls-certificate-secret-name`
    // is read once at start.
    core(["secrets"], ["get"], tlsSecretName ? [NAMES.archiveSecret, tlsSecretName] : [NAMES.archiveSecret]),
  ];
}

/**
 * argo-server in the data plane. In client mode every user request runs with the user's token, but the server runs
 * two watches with its own account and does not listen until the template watch syncs (server/apiserver/argoserver.go).
 */
export const SERVER_DATA_PLANE: Rule[] = [
  argo(["workflowtemplates", "workflows"], ["list", "watch"]),
  // The artifact repository of the managed namespace, read with the server's own clients to serve artifacts and
  // logs (server/apiserver/argoserver.go builds artifactrepositories.New with them).
  core(["configmaps"], ["get"], [NAMES.artifactRepositories]),
];

/**
 * The executor (init and wait containers of every workflow pod): it reports results. Artifact-GC pods run as this
 * account too (workflowDefaults.artifactGC.serviceAccountName) and read their tasks and report on them
 * (workflow/controller/artifact_gc.go; upstream manifests/quick-start/base/artifactgc-role.yaml). No Secret: the
 * controller mounts the artifact store's credentials into the pods itself.
 */
export const EXECUTOR: Rule[] = [
  argo(["workflowtaskresults"], ["create", "patch"]),
  argo(["workflowartifactgctasks"], ["list", "watch"]),
  argo(["workflowartifactgctasks/status"], ["patch"]),
];

/**
 * People who read the UI. Viewing the archive is a SelfSubjectAccessReview for list/get on workflows
 * (server/workflowarchive); Argo's checks drop resource names, so nothing here may be narrowed by name.
 */
export const UI_VIEWER: Rule[] = [
  argo(["workflows", "workflowtemplates", "cronworkflows", "workfloweventbindings"], ["get", "list", "watch"]),
  // Logs are read from the pods; pods are listed to find them. No exec, no write.
  core(["pods", "pods/log"], ["get", "list", "watch"]),
  core(["events"], ["get", "list", "watch"]),
];

/**
 * What people need to see artifacts and logs that live in the artifact store: argo-server reads the store's
 * credentials with the person's own token (server/artifacts/artifact_server.go -> resources.go), by name. So whoever
 * may read logs may read that Secret; see README, "Artifacts and logs" for why that is acceptable here.
 */
export function artifactReaders(credentialsSecret: string | undefined): Rule[] {
  return credentialsSecret ? [core(["secrets"], ["get"], [credentialsSecret])] : [];
}

/** People who author templates and submit workflows from them (the UI's "submit from template" creates a Workflow). */
export const UI_AUTHOR: Rule[] = [
  ...UI_VIEWER,
  argo(["workflowtemplates"], ["create", "update", "patch", "delete"]),
  // Submit; stop, retry, resubmit and suspend update a workflow; delete cleans up.
  argo(["workflows"], ["create", "update", "patch", "delete"]),
  // Retry deletes the failed nodes' pods with the person's token (server/workflow/workflow_server.go
  // RetryWorkflow). Pods cannot be narrowed by name, so an author may delete any pod in the data plane.
  core(["pods"], ["delete"]),
];
