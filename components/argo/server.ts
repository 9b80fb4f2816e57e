// argo-server: the UI and API over https on 2746, in client auth mode only, and its Service.
import * as crypto from "node:crypto";
import * as k8s from "../shared/k8s.ts";
import * as pulumi from "../shared/pulumi.ts";
import { NAMES, logicalName, metadata, resources, selectorLabels } from "../shared/kube.ts";
import { PORTS } from "../network-policies.ts";
import type { ArgoBinaryArgs } from "./workload.ts";
import { argoWorkload } from "./workload.ts";
import type { Service } from "@pulumi/kubernetes/core/v1/index.js";
import type { Deployment } from "@pulumi/kubernetes/apps/v1/index.js";

/** Where argo-server's certificate comes from. */
export type ServerTls =
  /** Argo's own: self-signed for `localhost`, a new one at every start and in every replica (util/tls/tls.go). */
  | { kind: "self-signed" }
  /** A `kubernetes.io/tls` Secret someone else issues and rotates (cert-manager, say); read once at start. */
  | { kind: "secret"; secretName: string }
  /** A certificate and key from stack config, kept in a Secret here; its checksum on the pods rolls them. */
  | { kind: "managed"; certificate: string; key: pulumi.Output<string> };

export interface ArgoServerArgs extends ArgoBinaryArgs {
  /** The server's certificate. Default (in config): self-signed, which only a single replica may use. */
  tls: ServerTls;
}

/** The Secret argo-server reads its certificate from, if any. */
export function serverTlsSecretName(tls: ServerTls): string | undefined {
  return tls.kind === "secret" ? tls.secretName : tls.kind === "managed" ? NAMES.serverTlsSecret : undefined;
}

export class ArgoServer extends pulumi.ComponentResource {
  public readonly deployment: Deployment;
  public readonly service: Service;

  constructor(name: string, args: ArgoServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("argo-platform:argo:ArgoServer", name, {}, opts);
    const tls = args.tls;
    const tlsSecret = serverTlsSecretName(tls);
    const managed =
      tls.kind === "managed"
        ? new k8s.core.v1.Secret(
            logicalName(args.controlPlaneName, NAMES.serverTlsSecret),
            {
              metadata: metadata(args.controlPlane, NAMES.serverTlsSecret, "server"),
              type: "kubernetes.io/tls",
              stringData: { "tls.crt": tls.certificate, "tls.key": tls.key },
            },
            { parent: this },
          )
        : undefined;
    this.deployment = argoWorkload({
      parent: this,
      name: NAMES.serverDeployment,
      component: "server",
      binary: args,
      // The server reads its certificate once, at start: a new one must roll the pods.
      ...(tls.kind === "managed"
        ? {
            podAnnotations: {
              "argo-platform/server-certificate-checksum": crypto
                .createHash("sha256")
                .update(tls.certificate)
                .digest("hex"),
            },
            dependsOn: [managed!],
          }
        : {}),
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
          ...(tlsSecret ? ["--tls-certificate-secret-name", tlsSecret] : []),
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
