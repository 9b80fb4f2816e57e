// A one-replica server in the control plane whose data is a claim that outlives it: its Service and StatefulSet.
// Dev's archive database and artifact store are built this way; each says what runs in its container.
import * as k8s from "./k8s.ts";
import type * as pulumi from "./pulumi.ts";
import type { Component } from "./kube.ts";
import {
  RESTRICTED_CONTAINER_SECURITY_CONTEXT,
  logicalName,
  metadata,
  restrictedPodSecurityContext,
  selectorLabels,
} from "./kube.ts";

export interface KeptServerArgs {
  /** The control-plane namespace (an output, so both objects wait for it) and its plain name. */
  controlPlane: pulumi.Input<string>;
  controlPlaneName: string;
  /** Name of the Service and of the StatefulSet, whose `serviceName` it is. */
  name: string;
  component: Component;
  /** The Service's one port, and the container's port of the same name it targets. */
  port: { name: string; port: number };
  /** The uid the server runs as (its image's user). */
  uid: number;
  /**
   * The server's container, without its port and security context (this adds both: the port above, and the
   * restricted settings every container here runs with); it mounts the claim as the volume `data`.
   */
  container: Omit<k8s.types.input.core.v1.Container, "ports" | "securityContext">;
  /** The pod's volumes besides the claim. */
  volumes: k8s.types.input.core.v1.Volume[];
  /** Size of the data volume, e.g. `8Gi`. */
  storageSize: string;
  /** StorageClass of the data volume; empty for the cluster's default. */
  storageClass: string;
}

/**
 * Creates the Service, then the StatefulSet, as children of `parent`. The claim `data` is kept when the StatefulSet
 * is deleted or scaled (persistentVolumeClaimRetentionPolicy), so a new StatefulSet of the same name binds it again.
 */
export function keptServer(parent: pulumi.Resource, args: KeptServerArgs): void {
  const { name, component } = args;
  new k8s.core.v1.Service(
    logicalName(args.controlPlaneName, name),
    {
      metadata: metadata(args.controlPlane, name, component),
      spec: {
        selector: selectorLabels(component),
        ports: [{ name: args.port.name, port: args.port.port, targetPort: args.port.name }],
      },
    },
    { parent },
  );
  new k8s.apps.v1.StatefulSet(
    logicalName(args.controlPlaneName, name),
    {
      metadata: metadata(args.controlPlane, name, component),
      spec: {
        serviceName: name,
        replicas: 1,
        selector: { matchLabels: selectorLabels(component) },
        template: {
          metadata: { labels: metadata(undefined, name, component).labels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurityContext(args.uid),
            containers: [
              {
                ...args.container,
                ports: [{ name: args.port.name, containerPort: args.port.port }],
                securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
              },
            ],
            volumes: args.volumes,
          },
        },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
        volumeClaimTemplates: [
          {
            metadata: { name: "data", labels: metadata(undefined, "data", component).labels },
            spec: {
              accessModes: ["ReadWriteOnce"],
              ...(args.storageClass ? { storageClassName: args.storageClass } : {}),
              resources: { requests: { storage: args.storageSize } },
            },
          },
        ],
      },
    },
    { parent },
  );
}
