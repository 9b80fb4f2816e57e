// What the controller and server Deployments share: a hardened pod for one Argo binary, and its disruption budget.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { Component } from "../shared/kube.ts";
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
  /** Archive over TLS: Argo writes the server's certificates under /home/argo/pgcerts (argo-workflows #10731). */
  databaseTls: boolean;
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
  container: Omit<k8s.types.input.core.v1.Container, "volumeMounts"> & {
    volumeMounts?: k8s.types.input.core.v1.VolumeMount[];
  };
  volumes?: k8s.types.input.core.v1.Volume[];
}

/** A Deployment of one Argo binary, plus a PodDisruptionBudget when it runs more than one replica. */
export function argoWorkload(args: ArgoWorkloadArgs): k8s.apps.v1.Deployment {
  const b = args.binary;
  const tlsVolume: k8s.types.input.core.v1.Volume[] = b.databaseTls ? [{ name: "pgcerts", emptyDir: {} }] : [];
  const tlsMount: k8s.types.input.core.v1.VolumeMount[] = b.databaseTls
    ? [{ name: "pgcerts", mountPath: "/home/argo/pgcerts" }]
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
            annotations: { "argo-platform/config-checksum": b.configChecksum },
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
                volumeMounts: [API_ACCESS_MOUNT, ...tlsMount, ...(args.container.volumeMounts ?? [])],
              },
            ],
            volumes: [apiAccessVolume(), ...tlsVolume, ...(args.volumes ?? [])],
          },
        },
      },
    },
    { parent: args.parent, dependsOn: b.dependsOn },
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
