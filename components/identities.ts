// Every identity of the platform: its ServiceAccount (automount off), its Roles and RoleBindings, and the executor's token Secret.
import * as k8s from "./shared/k8s.ts";
import * as pulumi from "./shared/pulumi.ts";
import * as rules from "./rbac-rules.ts";
import type { Component } from "./shared/kube.ts";
import { NAMES, logicalName, metadata } from "./shared/kube.ts";
import type { ServiceAccount } from "@pulumi/kubernetes/core/v1/index.js";

export interface IdentitiesArgs {
  /** Name of the control-plane namespace (an output of Namespaces, so objects wait for it). */
  controlPlane: pulumi.Input<string>;
  /** Name of the data-plane namespace. */
  dataPlane: pulumi.Input<string>;
  /** Plain names of the two namespaces, for logical resource names. */
  names: { controlPlane: string; dataPlane: string };
  /**
   * Bind controller-service-account to the UI author role too, so the documented
   * `kubectl -n <control-plane> create token controller-service-account` login can author and submit. Default false.
   */
  controllerTokenLogin?: boolean;
  /** Secret with argo-server's certificate, which the server may read; empty when Argo's self-signed one is used. */
  serverTlsSecretName?: string;
  /** The artifact store's credentials Secret in the data plane, which people read logs with; none with workload identity. */
  artifactCredentialsSecret?: string;
  /**
   * Annotations for the accounts that reach the artifact store (executor and argo-server) under workload identity,
   * e.g. `eks.amazonaws.com/role-arn`. Default none.
   */
  artifactIdentityAnnotations?: Record<string, string>;
}

export class Identities extends pulumi.ComponentResource {
  public readonly controllerServiceAccount: pulumi.Output<string>;
  public readonly serverServiceAccount: pulumi.Output<string>;
  public readonly executorServiceAccount: pulumi.Output<string>;
  public readonly uiViewerServiceAccount: pulumi.Output<string>;
  public readonly uiAuthorServiceAccount: pulumi.Output<string>;

  constructor(name: string, args: IdentitiesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("argo-platform:index:Identities", name, {}, opts);
    const cp = { ns: args.controlPlane, name: args.names.controlPlane };
    const dp = { ns: args.dataPlane, name: args.names.dataPlane };

    const account = (
      where: typeof cp,
      accountName: string,
      component: Component,
      annotations?: Record<string, string>,
    ) =>
      new k8s.core.v1.ServiceAccount(
        logicalName(where.name, accountName),
        {
          metadata: metadata(where.ns, accountName, component, annotations ? { annotations } : {}),
          automountServiceAccountToken: false,
        },
        { parent: this },
      );
    const identity =
      args.artifactIdentityAnnotations && Object.keys(args.artifactIdentityAnnotations).length
        ? args.artifactIdentityAnnotations
        : undefined;

    const controller = account(cp, NAMES.controllerServiceAccount, "controller");
    // Both reach the artifact store: the executor's pods save and load artifacts, argo-server serves them.
    const server = account(cp, NAMES.serverServiceAccount, "server", identity);
    const executor = account(dp, NAMES.executorServiceAccount, "executor", identity);
    // People's accounts live in the control plane, where no workflow can run as them.
    const viewer = account(cp, NAMES.uiViewerServiceAccount, "ui");
    const author = account(cp, NAMES.uiAuthorServiceAccount, "ui");

    // Since Kubernetes 1.24 nobody creates this Secret for us; without it every workflow pod hangs on its
    // `exec-sa-token` volume. The token controller fills it in once the account exists.
    new k8s.core.v1.Secret(
      logicalName(dp.name, NAMES.executorTokenSecret),
      {
        metadata: metadata(dp.ns, NAMES.executorTokenSecret, "executor", {
          annotations: {
            "kubernetes.io/service-account.name": executor.metadata.name,
            // pulumi-kubernetes would wait a few seconds for the token controller to fill it in and fail the create
            // when it is slower; the kubelet retries the workflow pods' mount until the token is there instead.
            "pulumi.com/skipAwait": "true",
          },
        }),
        type: "kubernetes.io/service-account-token",
      },
      // The token controller deletes a token Secret whose account does not exist (yet): create the account first.
      { parent: this, dependsOn: [executor] },
    );

    const grant = (
      where: typeof cp,
      roleName: string,
      component: Component,
      roleRules: rules.Rule[],
      subjects: ServiceAccount[],
    ) => {
      const role = new k8s.rbac.v1.Role(
        logicalName(where.name, roleName),
        { metadata: metadata(where.ns, roleName, component), rules: roleRules },
        { parent: this },
      );
      new k8s.rbac.v1.RoleBinding(
        logicalName(where.name, roleName),
        {
          metadata: metadata(where.ns, roleName, component),
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
          subjects: subjects.map((sa) => ({
            kind: "ServiceAccount",
            name: sa.metadata.name,
            namespace: sa.metadata.namespace,
          })),
        },
        { parent: this },
      );
    };

    grant(dp, "argo-controller", "controller", rules.CONTROLLER_DATA_PLANE, [controller]);
    grant(cp, "argo-controller", "controller", rules.CONTROLLER_CONTROL_PLANE, [controller]);
    grant(dp, "argo-server", "server", rules.SERVER_DATA_PLANE, [server]);
    grant(cp, "argo-server", "server", rules.serverControlPlane(args.serverTlsSecretName ?? ""), [server]);
    grant(dp, "argo-executor", "executor", rules.EXECUTOR, [executor]);
    const readArtifacts = rules.artifactReaders(args.artifactCredentialsSecret);
    grant(dp, "argo-ui-viewer", "ui", [...rules.UI_VIEWER, ...readArtifacts], [viewer]);
    // The documented controller-token login gets exactly the author's rights on top of the controller's own.
    grant(
      dp,
      "argo-ui-author",
      "ui",
      [...rules.UI_AUTHOR, ...readArtifacts],
      args.controllerTokenLogin ? [author, controller] : [author],
    );

    this.controllerServiceAccount = controller.metadata.name;
    this.serverServiceAccount = server.metadata.name;
    this.executorServiceAccount = executor.metadata.name;
    this.uiViewerServiceAccount = viewer.metadata.name;
    this.uiAuthorServiceAccount = author.metadata.name;
    this.registerOutputs({
      controllerServiceAccount: this.controllerServiceAccount,
      serverServiceAccount: this.serverServiceAccount,
      executorServiceAccount: this.executorServiceAccount,
      uiViewerServiceAccount: this.uiViewerServiceAccount,
      uiAuthorServiceAccount: this.uiAuthorServiceAccount,
    });
  }
}
