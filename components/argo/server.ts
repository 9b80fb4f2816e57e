// argo-server: the UI and API over https on 2746, in client auth mode only, and its Service.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NAMES, logicalName, metadata, resources, selectorLabels } from "../shared/kube.ts";
import { PORTS } from "../network-policies.ts";
import type { ArgoBinaryArgs } from "./workload.ts";
import { argoWorkload } from "./workload.ts";

export interface ArgoServerArgs extends ArgoBinaryArgs {
  /** Secret with tls.crt and tls.key; empty: Argo's self-signed certificate for `localhost`, renewed on every start. */
  tlsSecretName: string;
}

export class ArgoServer extends pulumi.ComponentResource {
  public readonly deployment: k8s.apps.v1.Deployment;
  public readonly service: k8s.core.v1.Service;

  constructor(name: string, args: ArgoServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("argo-platform:argo:ArgoServer", name, {}, opts);
    this.deployment = argoWorkload({
      parent: this,
      name: NAMES.serverDeployment,
      component: "server",
      binary: args,
      container: {
        name: "argo-server",
        image: args.image,
        args: [
          "server",
          "--configmap",
          NAMES.controllerConfigMap,
          "--namespaced",
          pulumi.interpolate`--managed-namespace=${args.dataPlane}`,
          // Client mode only: every request runs with the caller's own bearer token. `server` mode would let
          // anyone act as the server's account.
          "--auth-mode=client",
          "--secure=true",
          ...(args.tlsSecretName ? ["--tls-certificate-secret-name", args.tlsSecretName] : []),
        ],
        ports: [{ name: "web", containerPort: PORTS.server }],
        readinessProbe: {
          httpGet: { path: "/", port: "web", scheme: "HTTPS" },
          initialDelaySeconds: 10,
          periodSeconds: 20,
        },
        resources: resources("50m", "64Mi", "1", "512Mi"),
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
      },
      volumes: [{ name: "tmp", emptyDir: {} }],
    });
    this.service = new k8s.core.v1.Service(
      logicalName(args.controlPlaneName, NAMES.serverService),
      {
        metadata: metadata(args.controlPlane, NAMES.serverService, "server"),
        spec: { selector: selectorLabels("server"), ports: [{ name: "web", port: PORTS.server, targetPort: "web" }] },
      },
      { parent: this },
    );
    this.registerOutputs({ deployment: this.deployment, service: this.service });
  }
}
