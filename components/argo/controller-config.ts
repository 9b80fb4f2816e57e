// The workflow-controller-configmap: strict template-only mode, workflow defaults, hardened pods, and the archive.
import * as crypto from "node:crypto";
import * as k8s from "../shared/k8s.ts";
import * as pulumi from "../shared/pulumi.ts";
import type { ArchiveConnection } from "../archive/credentials.ts";
import { SECRET_KEYS } from "../archive/credentials.ts";
import { ARGO_UID, NAMES, logicalName, metadata, resources, restrictedPodSecurityContext } from "../shared/kube.ts";
import { stringifyYaml } from "../shared/yaml.ts";
import type { ConfigMap } from "@pulumi/kubernetes/core/v1/index.js";

/** Completed Workflow objects leave the cluster after a day; the archive keeps them for archiveTTL. */
export const COMPLETED_WORKFLOW_TTL_SECONDS = 86_400;
/** Archive table; Argo refuses a persistence block without one (persist/sqldb GetTableName). */
export const ARCHIVE_TABLE = "argo_workflows";

export interface ControllerConfigArgs {
  controlPlane: pulumi.Input<string>;
  controlPlaneName: string;
  /** `Strict` (default in config) or `Secure`; case-sensitive, and Argo never validates it. */
  templateReferencing: "Strict" | "Secure";
  /** The executor image, pinned to the same tag as the controller. */
  executorImage: string;
  /** How long archived workflows are kept, in a form Argo's TTL parser accepts (validated in config.ts). */
  archiveTTL: string;
  archive: ArchiveConnection;
}

/**
 * What the controller merges under each template's main container (`mainContainer.securityContext`): a template's
 * own values win field by field (workflow/controller/workflowpod.go, podBuilder.build). Exported because the template
 * policy (components/policy) must know what a field left unset becomes.
 */
export const MAIN_CONTAINER_SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  runAsNonRoot: true,
  seccompProfile: { type: "RuntimeDefault" },
};

/** The init and wait containers of every workflow pod (newExecContainer takes `executor.securityContext` as is). */
export const EXECUTOR_SECURITY_CONTEXT = {
  ...MAIN_CONTAINER_SECURITY_CONTEXT,
  readOnlyRootFilesystem: true,
  runAsUser: ARGO_UID,
};

/**
 * `workflowDefaults.spec.securityContext`: merged field by field under a workflow's own, and the pod's security
 * context unless the template sets one (addSchedulingConstraints in workflowpod.go).
 */
export const WORKFLOW_POD_SECURITY_CONTEXT = restrictedPodSecurityContext(ARGO_UID);

/**
 * The controller's configuration as Argo's Go `Config` struct sees it (config/config.go). Argo unmarshals it
 * strictly: an unknown key anywhere stops the controller and the server, which is why a test compares every key.
 */
export function controllerSettings(
  args: Omit<ControllerConfigArgs, "controlPlane" | "controlPlaneName" | "archive">,
  archive: {
    host: string;
    port: number;
    database: string;
    ssl: boolean;
    sslMode?: string;
    secretName: string;
  },
) {
  return {
    workflowRestrictions: { templateReferencing: args.templateReferencing },
    // Only the controller applies these, at the lowest precedence; they are not subject to the Strict allow-list,
    // which is why the account and automount settings live here (and in every shipped template).
    workflowDefaults: {
      spec: {
        serviceAccountName: NAMES.executorServiceAccount,
        automountServiceAccountToken: false,
        // Mandatory once automount is off: "executor.serviceAccountName must not be empty if
        // automountServiceAccountToken is false" (workflow/controller/workflowpod.go).
        executor: { serviceAccountName: NAMES.executorServiceAccount },
        securityContext: WORKFLOW_POD_SECURITY_CONTEXT,
        ttlStrategy: { secondsAfterCompletion: COMPLETED_WORKFLOW_TTL_SECONDS },
        // No strategy, so no artifact is collected unless a template asks: logs are artifacts too, and collecting
        // them when the Workflow object leaves (after a day) would blind the 30-day archive. A template that opts
        // in gets GC pods under the executor's account, and a failed GC cannot pin the Workflow on its finalizer.
        artifactGC: { serviceAccountName: NAMES.executorServiceAccount, forceFinalizerRemoval: true },
        // Pods of failed workflows stay (for their logs) until the workflow itself is deleted by the TTL.
        podGC: { strategy: "OnWorkflowSuccess" },
      },
    },
    // The init and wait containers of every workflow pod.
    executor: {
      image: args.executorImage,
      securityContext: EXECUTOR_SECURITY_CONTEXT,
      resources: resources("10m", "64Mi", "500m", "256Mi"),
    },
    // Defaults for each template's main container; a template may raise its resources. Its root filesystem stays
    // writable: user images commonly write to it.
    mainContainer: {
      securityContext: MAIN_CONTAINER_SECURITY_CONTEXT,
      resources: resources("100m", "128Mi", "1", "1Gi"),
    },
    persistence: {
      archive: true,
      archiveTTL: args.archiveTTL,
      connectionPool: { maxIdleConns: 5, maxOpenConns: 10, connMaxLifetime: "30m" },
      postgresql: {
        host: archive.host,
        port: archive.port,
        database: archive.database,
        tableName: ARCHIVE_TABLE,
        userNameSecret: { name: archive.secretName, key: SECRET_KEYS.username },
        passwordSecret: { name: archive.secretName, key: SECRET_KEYS.password },
        ssl: archive.ssl,
        ...(archive.ssl && archive.sslMode ? { sslMode: archive.sslMode } : {}),
      },
    },
  };
}

export class ControllerConfig extends pulumi.ComponentResource {
  public readonly configMap: ConfigMap;
  /** SHA-256 of the ConfigMap's data: on the pod templates, so a change rolls the binaries (they read it at start). */
  public readonly checksum: pulumi.Output<string>;

  constructor(name: string, args: ControllerConfigArgs, opts?: pulumi.ComponentResourceOptions) {
    super("argo-platform:argo:ControllerConfig", name, {}, opts);
    const { archive } = args;
    // One data key per top-level setting (parseConfigMap nests each multi-line value under its key), so a preview
    // diff names the setting that changed.
    const data = archive.host.apply((host) => {
      const settings = controllerSettings(args, { ...archive, host });
      return Object.fromEntries(Object.entries(settings).map(([key, value]) => [key, stringifyYaml(value)]));
    });
    this.configMap = new k8s.core.v1.ConfigMap(
      logicalName(args.controlPlaneName, NAMES.controllerConfigMap),
      { metadata: metadata(args.controlPlane, NAMES.controllerConfigMap, "controller"), data },
      { parent: this },
    );
    this.checksum = data.apply((d) =>
      crypto
        .createHash("sha256")
        .update(JSON.stringify(d, Object.keys(d).sort()))
        .digest("hex"),
    );
    this.registerOutputs({ configMap: this.configMap, checksum: this.checksum });
  }
}
