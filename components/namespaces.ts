// The two namespaces, labelled for Pod Security `restricted`, with their `default` accounts' token automount switched off.
import * as k8s from "./shared/k8s.ts";
import * as pulumi from "./shared/pulumi.ts";
import { labels, logicalName } from "./shared/kube.ts";

/** Pod Security Standards level and the Kubernetes minor version its rules are pinned to (not `latest`). */
export const POD_SECURITY = { level: "restricted", version: "v1.31" } as const;

export interface NamespacesArgs {
  /** Namespace of the controller, argo-server and the in-cluster database. Default (in config): `control-plane`. */
  controlPlane: string;
  /** The only namespace where workflows run. Default (in config): `data-plane`. */
  dataPlane: string;
  /**
   * Keep the control-plane namespace when the stack is destroyed. Set it when the namespace holds the in-cluster
   * archive database: deleting a namespace deletes its PersistentVolumeClaims, and with them the archive. Default false.
   */
  retainControlPlane?: boolean;
  /**
   * Provider for a retained control-plane namespace: the next `up` after a destroy meets the namespace the destroy
   * kept, and must adopt it rather than fail with AlreadyExists. Required with retainControlPlane.
   */
  retainedObjectsProvider?: k8s.Provider;
}

export class Namespaces extends pulumi.ComponentResource {
  /** Namespace names as outputs: using them makes every namespaced object wait for its namespace. */
  public readonly controlPlane: pulumi.Output<string>;
  public readonly dataPlane: pulumi.Output<string>;

  constructor(name: string, args: NamespacesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("argo-platform:index:Namespaces", name, {}, opts);
    const make = (ns: string, retainOnDelete: boolean) => {
      const namespace = new k8s.core.v1.Namespace(
        logicalName(undefined, ns),
        {
          metadata: {
            name: ns,
            labels: {
              ...labels("platform"),
              "pod-security.kubernetes.io/enforce": POD_SECURITY.level,
              "pod-security.kubernetes.io/enforce-version": POD_SECURITY.version,
              "pod-security.kubernetes.io/audit": POD_SECURITY.level,
              "pod-security.kubernetes.io/audit-version": POD_SECURITY.version,
              "pod-security.kubernetes.io/warn": POD_SECURITY.level,
              "pod-security.kubernetes.io/warn-version": POD_SECURITY.version,
            },
          },
        },
        { parent: this, retainOnDelete, ...(retainOnDelete ? { provider: args.retainedObjectsProvider } : {}) },
      );
      // Kubernetes creates `default` in every namespace; we co-own just its automount field with a server-side
      // patch instead of adopting the object (a create would fail with AlreadyExists). Nothing binds it to a role.
      new k8s.core.v1.ServiceAccountPatch(
        logicalName(ns, "default"),
        {
          metadata: {
            name: "default",
            namespace: namespace.metadata.name,
            // The field may already belong to another field manager (an admission controller, a former install):
            // take it over rather than fail the apply with a conflict.
            annotations: { "pulumi.com/patchForce": "true" },
          },
          automountServiceAccountToken: false,
        },
        { parent: this },
      );
      return namespace.metadata.name;
    };
    if (args.retainControlPlane && !args.retainedObjectsProvider)
      throw new Error("Namespaces: retainControlPlane needs retainedObjectsProvider");
    this.controlPlane = make(args.controlPlane, args.retainControlPlane ?? false);
    this.dataPlane = make(args.dataPlane, false);
    this.registerOutputs({ controlPlane: this.controlPlane, dataPlane: this.dataPlane });
  }
}
