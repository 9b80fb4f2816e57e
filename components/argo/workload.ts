// What the controller and server Deployments share: a hardened pod for one Argo binary, and its disruption budget.
import * as k8s from "../shared/k8s.ts";
import type * as pulumi from "@pulumi/pulumi";
import type { Component } from "../shared/kube.ts";
import type { Deployment } from "@pulumi/kubernetes/apps/v1/index.js";
import {
  API_ACCESS_MOUNT,
  ARGO_UID,
  RESTRICTED_CONTAINER_SECURITY_CONTEXT,
  apiAccessVolume,
  labels,
  logicalName,
  metadata,
  restrictedPodSecurityContext,
  selectorLabels,
} from "../shared/kube.ts";

/** What the controller and server components both take (documented once, here). */
export interface ArgoBinaryArgs {
  /** The control-plane namespace (an output, so the Deployment waits for it) and its plain name. */
  controlPlane: pulumi.Input<string>;
  controlPlaneName: string;
  /** The one namespace the binary manages (`--managed-namespace`). */
  dataPlane: pulumi.Input<string>;
  /** Image, pinned to the configured Argo version. */
  image: string;
  /** Replicas; more than one adds a PodDisruptionBudget (the controller elects a leader). Default (config): 1. */
  replicas: number;
  serviceAccountName: pulumi.Input<string>;
  /** SHA-256 of the controller ConfigMap: a change rolls the pods, since both binaries read it only at start. */
  configChecksum: pulumi.Input<string>;
  /**
   * ConfigMap (key `ca.crt`) of the external archive server's CA: mounted, and PGSSLROOTCERT points lib/pq at it
   * (v4.1.2 has no CA setting and writes nothing under /home/argo/pgcerts). Default none: the system's roots.
   */
  databaseCaConfigMap?: string;
  /** What must exist before the binary starts: its ConfigMap, the archive's Secret (and database), the CRDs. */
  dependsOn: pulumi.Input<pulumi.Resource>[];
}

export interface ArgoWorkloadArgs {
  parent: pulumi.Resource;
  /** Name of the Deployment (and its disruption budget). */
  name: string;
  component: Component;
  binary: ArgoBinaryArgs;
  /** The binary's container; its mounts come after the API-access (and TLS) mounts every binary gets. */
  container: Omit<k8s.types.input.core.v1.Container, "volumeMounts" | "env"> & {
    env?: k8s.types.input.core.v1.EnvVar[];
    volumeMounts?: k8s.types.input.core.v1.VolumeMount[];
  };
  volumes?: k8s.types.input.core.v1.Volume[];
  /** More pod annotations, e.g. a checksum of something else the binary reads only at start. */
  podAnnotations?: Record<string, pulumi.Input<string>>;
  /** What must exist before this Deployment, besides the binary's own dependencies. */
  dependsOn?: pulumi.Resource[];
}

/** A Deployment of one Argo binary, plus a PodDisruptionBudget when it runs more than one replica. */
export function argoWorkload(args: ArgoWorkloadArgs): Deployment {
  const b = args.binary;
  const caDir = "/etc/argo-platform/archive-ca";
  const caVolume: k8s.types.input.core.v1.Volume[] = b.databaseCaConfigMap
    ? [{ name: "archive-ca", configMap: { name: b.databaseCaConfigMap, items: [{ key: "ca.crt", path: "ca.crt" }] } }]
    : [];
  const caMount: k8s.types.input.core.v1.VolumeMount[] = b.databaseCaConfigMap
    ? [{ name: "archive-ca", mountPath: caDir, readOnly: true }]
    : [];
  const caEnv: k8s.types.input.core.v1.EnvVar[] = b.databaseCaConfigMap
    ? [{ name: "PGSSLROOTCERT", value: `${caDir}/ca.crt` }]
    : [];
  const deployment = new k8s.apps.v1.Deployment(
    logicalName(b.controlPlaneName, args.name),
    {
      metadata: metadata(b.controlPlane, args.name, args.component),
      spec: {
        replicas: b.replicas,
        selector: { matchLabels: selectorLabels(args.component) },
        template: {
          metadata: {
            labels: labels(args.component),
            annotations: { "argo-platform/config-checksum": b.configChecksum, ...args.podAnnotations },
          },
          spec: {
            serviceAccountName: b.serviceAccountName,
            // Off here and on the account; the API token comes from the explicit projected volume instead.
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurityContext(ARGO_UID),
            nodeSelector: { "kubernetes.io/os": "linux" },
            containers: [
              {
                ...args.container,
                securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
                env: [...caEnv, ...(args.container.env ?? [])],
                volumeMounts: [API_ACCESS_MOUNT, ...caMount, ...(args.container.volumeMounts ?? [])],
              },
            ],
            volumes: [apiAccessVolume(), ...caVolume, ...(args.volumes ?? [])],
          },
        },
      },
    },
    { parent: args.parent, dependsOn: [...b.dependsOn, ...(args.dependsOn ?? [])] },
  );
  if (b.replicas > 1) {
    new k8s.policy.v1.PodDisruptionBudget(
      logicalName(b.controlPlaneName, args.name),
      {
        metadata: metadata(b.controlPlane, args.name, args.component),
        spec: { minAvailable: 1, selector: { matchLabels: selectorLabels(args.component) } },
      },
      { parent: args.parent },
    );
  }
  return deployment;
}
