// The workflow-controller Deployment: namespaced to the control plane, managing workflows in the data plane only.
import * as pulumi from "../shared/pulumi.ts";
import { NAMES, resources } from "../shared/kube.ts";
import { PORTS } from "../network-policies.ts";
import type { ArgoBinaryArgs } from "./workload.ts";
import { argoWorkload } from "./workload.ts";
import type { Deployment } from "@pulumi/kubernetes/apps/v1/index.js";

/** Everything the controller takes is shared with argo-server. */
export type WorkflowControllerArgs = ArgoBinaryArgs;

export class WorkflowController extends pulumi.ComponentResource {
  public readonly deployment: Deployment;

  constructor(name: string, args: WorkflowControllerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("argo-platform:argo:WorkflowController", name, {}, opts);
    this.deployment = argoWorkload({
      parent: this,
      name: NAMES.controllerDeployment,
      component: "controller",
      binary: args,
      container: {
        name: "workflow-controller",
        image: args.image,
        command: ["workflow-controller"],
        // --namespaced alone would manage the controller's own namespace; the managed namespace is the point.
        args: [
          "--configmap",
          NAMES.controllerConfigMap,
          "--namespaced",
          pulumi.interpolate`--managed-namespace=${args.dataPlane}`,
        ],
        // Leader election is on by default and needs a unique identity per replica.
        env: [
          {
            name: "LEADER_ELECTION_IDENTITY",
            valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } },
          },
        ],
        ports: [
          { name: "metrics", containerPort: PORTS.metrics },
          { name: "healthz", containerPort: 6060 },
        ],
        livenessProbe: {
          httpGet: { path: "/healthz", port: "healthz" },
          initialDelaySeconds: 90,
          periodSeconds: 60,
          timeoutSeconds: 30,
          failureThreshold: 3,
        },
        resources: resources("100m", "128Mi", "1", "512Mi"),
      },
    });
    this.registerOutputs({ deployment: this.deployment });
  }
}
