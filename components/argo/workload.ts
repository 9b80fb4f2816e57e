// What the controller and server Deployments share: a hardened pod for one Argo binary, and its disruption budget.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  API_ACCESS_MOUNT,
  ARGO_UID,
  Component,
  RESTRICTED_CONTAINER_SECURITY_CONTEXT,
  apiAccessVolume,
  labels,
  logicalName,
  metadata,
  restrictedPodSecurityContext,
  selectorLabels,
} from "../shared/kube";

export interface ArgoWorkloadArgs {
  parent: pulumi.Resource;
  namespace: pulumi.Input<string>;
  namespaceName: string;
  name: string;
  component: Component;
  replicas: number;
  serviceAccountName: pulumi.Input<string>;
  /** Checksum of the controller ConfigMap: a change rolls the pods, since both binaries read it only at start. */
  configChecksum: pulumi.Input<string>;
  /** Archive over TLS: Argo writes the server's certificates under /home/argo/pgcerts (argo-workflows #10731). */
  databaseTls: boolean;
  container: k8s.types.input.core.v1.Container & { volumeMounts?: k8s.types.input.core.v1.VolumeMount[] };
  volumes?: k8s.types.input.core.v1.Volume[];
  dependsOn: pulumi.Input<pulumi.Resource>[];
}

/** A Deployment of one Argo binary, plus a PodDisruptionBudget when it runs more than one replica. */
export function argoWorkload(args: ArgoWorkloadArgs): k8s.apps.v1.Deployment {
  const tlsVolume: k8s.types.input.core.v1.Volume[] = args.databaseTls ? [{ name: "pgcerts", emptyDir: {} }] : [];
  const tlsMount: k8s.types.input.core.v1.VolumeMount[] = args.databaseTls ? [{ name: "pgcerts", mountPath: "/home/argo/pgcerts" }] : [];
  const deployment = new k8s.apps.v1.Deployment(
    logicalName(args.namespaceName, args.name),
    {
      metadata: metadata(args.namespace, args.name, args.component),
      spec: {
        replicas: args.replicas,
        selector: { matchLabels: selectorLabels(args.component) },
        template: {
          metadata: { labels: labels(args.component), annotations: { "argo-platform/config-checksum": args.configChecksum } },
          spec: {
            serviceAccountName: args.serviceAccountName,
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
    { parent: args.parent, dependsOn: args.dependsOn },
  );
  if (args.replicas > 1) {
    new k8s.policy.v1.PodDisruptionBudget(
      logicalName(args.namespaceName, args.name),
      { metadata: metadata(args.namespace, args.name, args.component), spec: { minAvailable: 1, selector: { matchLabels: selectorLabels(args.component) } } },
      { parent: args.parent },
    );
  }
  return deployment;
}
