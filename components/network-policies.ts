// Ingress rules of both namespaces: deny by default, then open exactly the ports something must reach.
import * as k8s from "./shared/k8s.ts";
import * as pulumi from "./shared/pulumi.ts";
import { NAMES, logicalName, metadata, selectorLabels } from "./shared/kube.ts";

export const PORTS = { server: 2746, metrics: 9090, postgres: 5432, objectStore: 9000 } as const;

export interface NetworkPoliciesArgs {
  controlPlane: pulumi.Input<string>;
  dataPlane: pulumi.Input<string>;
  names: { controlPlane: string; dataPlane: string };
  /** Namespace whose pods may scrape controller metrics. */
  metricsNamespace: string;
  /** Namespaces whose pods may reach argo-server; empty: none (port-forwards still work). Default (config): none. */
  serverClientNamespaces: readonly string[];
  /** Whether the archive database runs in the control plane (then only controller and server may reach it). */
  inClusterDatabase: boolean;
  /** Whether the artifact store runs in the control plane (then only workflow pods and argo-server may reach it). */
  inClusterArtifactStore: boolean;
}

/**
 * Plain networking.k8s.io/v1 policies (no CNI-specific kinds); they only take effect where the CNI enforces them.
 * Egress stays open: the binaries need the API server and the database, and workflow steps reach whatever their
 * templates are written for (see README, "Network").
 */
export class NetworkPolicies extends pulumi.ComponentResource {
  constructor(name: string, args: NetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("argo-platform:index:NetworkPolicies", name, {}, opts);
    const policy = (
      ns: { input: pulumi.Input<string>; name: string },
      policyName: string,
      spec: k8s.types.input.networking.v1.NetworkPolicySpec,
    ) =>
      new k8s.networking.v1.NetworkPolicy(
        logicalName(ns.name, policyName),
        { metadata: metadata(ns.input, policyName, "platform"), spec },
        { parent: this },
      );
    const cp = { input: args.controlPlane, name: args.names.controlPlane };
    const dp = { input: args.dataPlane, name: args.names.dataPlane };

    for (const ns of [cp, dp]) {
      policy(ns, "default-deny-ingress", { podSelector: {}, policyTypes: ["Ingress"] });
    }
    // The UI and API, from the namespaces a stack names (an ingress controller's) and nothing else: some of its
    // endpoints answer any bearer header (the archive's label keys, /metrics), and workflow pods have no business
    // there. A port-forward does not cross the pod network, so it works without any rule.
    if (args.serverClientNamespaces.length) {
      policy(cp, "allow-argo-server", {
        podSelector: { matchLabels: selectorLabels("server") },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: args.serverClientNamespaces.map((ns) => ({
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
            })),
            ports: [{ protocol: "TCP", port: PORTS.server }],
          },
        ],
      });
    }
    policy(cp, "allow-controller-metrics", {
      podSelector: { matchLabels: selectorLabels("controller") },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": args.metricsNamespace } } }],
          ports: [{ protocol: "TCP", port: PORTS.metrics }],
        },
      ],
    });
    if (args.inClusterDatabase) {
      policy(cp, `allow-${NAMES.archiveDatabaseService}`, {
        podSelector: { matchLabels: selectorLabels("archive-database") },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [
              { podSelector: { matchLabels: selectorLabels("controller") } },
              { podSelector: { matchLabels: selectorLabels("server") } },
            ],
            ports: [{ protocol: "TCP", port: PORTS.postgres }],
          },
        ],
      });
    }
    if (args.inClusterArtifactStore) {
      policy(cp, `allow-${NAMES.objectStoreService}`, {
        podSelector: { matchLabels: selectorLabels("artifact-store") },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [
              // Workflow pods (the controller labels each with its workflow's name), and only in the data plane.
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": args.names.dataPlane } },
                podSelector: { matchExpressions: [{ key: "workflows.argoproj.io/workflow", operator: "Exists" }] },
              },
              // argo-server, which serves artifacts and archived logs to the UI.
              { podSelector: { matchLabels: selectorLabels("server") } },
            ],
            ports: [{ protocol: "TCP", port: PORTS.objectStore }],
          },
        ],
      });
    }
    this.registerOutputs({});
  }
}
