// The stack's binding to its one cluster: the Kubernetes providers every object is created through.
import * as k8s from "./shared/k8s.ts";
import * as pulumi from "./shared/pulumi.ts";

export interface ClusterBindingArgs {
  /** Kube context of the stack's cluster, from the ambient kubeconfig (`$KUBECONFIG` or ~/.kube/config). Required. */
  context: string;
  /**
   * A stable name for the cluster. pulumi-kubernetes replaces the provider, and with it every object, only when
   * this changes (`DiffConfig`), not when a kubeconfig is merely rewritten. Default (in config): the context name.
   */
  clusterIdentifier: string;
  /**
   * Create the objects a destroy keeps (the CRDs; dev's control-plane namespace) by adopting any that already
   * exist, instead of failing with AlreadyExists (pulumi-kubernetes >= 4.29 creates client-side). Default false.
   */
  adoptRetainedObjects: boolean;
}

export class ClusterBinding extends pulumi.ComponentResource {
  /** Every Kubernetes object of the stack goes through this provider; no default provider is ever used. */
  public readonly provider: k8s.Provider;
  /** The same cluster, for the objects a destroy keeps: adopts them when `adoptRetainedObjects` says so. */
  public readonly retainedObjectsProvider: k8s.Provider;

  constructor(name: string, args: ClusterBindingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("argo-platform:index:ClusterBinding", name, {}, opts);
    const common = {
      context: args.context,
      clusterIdentifier: args.clusterIdentifier,
      // A ConfigMap's or Secret's data change is then an update in place, not a delete-first replacement of an
      // object the binaries cannot start without; the config checksum on their pod templates rolls them instead.
      enableConfigMapMutable: true,
      enableSecretMutable: true,
    };
    this.provider = new k8s.Provider("kubernetes", { ...common, upsertExistingObjects: false }, { parent: this });
    this.retainedObjectsProvider = new k8s.Provider(
      "kubernetes-retained-objects",
      { ...common, upsertExistingObjects: args.adoptRetainedObjects },
      { parent: this },
    );
    this.registerOutputs({ provider: this.provider, retainedObjectsProvider: this.retainedObjectsProvider });
  }
}
