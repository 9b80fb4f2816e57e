// The eight argoproj.io/v1alpha1 CustomResourceDefinitions of Argo Workflows v4.
import * as k8s from "../shared/k8s.ts";
import * as pulumi from "../shared/pulumi.ts";
import { labels } from "../shared/kube.ts";
import type { CustomResourceDefinition } from "@pulumi/kubernetes/apiextensions/v1/index.js";

interface Kind {
  kind: string;
  plural: string;
  singular: string;
  shortNames?: string[];
  scope: "Namespaced" | "Cluster";
}

/** The kinds of Argo v4 (manifests/base/crds at v4.1.2). */
export const ARGO_KINDS: Kind[] = [
  { kind: "Workflow", plural: "workflows", singular: "workflow", shortNames: ["wf"], scope: "Namespaced" },
  {
    kind: "WorkflowTemplate",
    plural: "workflowtemplates",
    singular: "workflowtemplate",
    shortNames: ["wftmpl"],
    scope: "Namespaced",
  },
  {
    kind: "ClusterWorkflowTemplate",
    plural: "clusterworkflowtemplates",
    singular: "clusterworkflowtemplate",
    shortNames: ["clusterwftmpl", "cwft"],
    scope: "Cluster",
  },
  {
    kind: "CronWorkflow",
    plural: "cronworkflows",
    singular: "cronworkflow",
    shortNames: ["cwf", "cronwf"],
    scope: "Namespaced",
  },
  { kind: "WorkflowTaskResult", plural: "workflowtaskresults", singular: "workflowtaskresult", scope: "Namespaced" },
  {
    kind: "WorkflowTaskSet",
    plural: "workflowtasksets",
    singular: "workflowtaskset",
    shortNames: ["wfts"],
    scope: "Namespaced",
  },
  {
    kind: "WorkflowArtifactGCTask",
    plural: "workflowartifactgctasks",
    singular: "workflowartifactgctask",
    shortNames: ["wfat"],
    scope: "Namespaced",
  },
  {
    kind: "WorkflowEventBinding",
    plural: "workfloweventbindings",
    singular: "workfloweventbinding",
    shortNames: ["wfeb"],
    scope: "Namespaced",
  },
];

/**
 * Minimal schemas, as Argo's own `crds/minimal` and most installs use: `spec` and `status` are kept as sent
 * (preserve-unknown-fields, atomic). The full schemas are ~640 KB for one kind, slow every apply, and validate only
 * what the controller validates again anyway; the templates this program ships are checked against Argo's full
 * schema before anything is registered (workflow-templates.ts). Applied server-side, like everything here.
 */
function crdSpec(k: Kind): k8s.types.input.apiextensions.v1.CustomResourceDefinitionSpec {
  const freeForm = { type: "object", "x-kubernetes-preserve-unknown-fields": true, "x-kubernetes-map-type": "atomic" };
  return {
    group: "argoproj.io",
    names: {
      kind: k.kind,
      listKind: `${k.kind}List`,
      plural: k.plural,
      singular: k.singular,
      ...(k.shortNames ? { shortNames: k.shortNames } : {}),
    },
    scope: k.scope,
    versions: [
      {
        name: "v1alpha1",
        served: true,
        storage: true,
        subresources: {},
        schema: {
          openAPIV3Schema: {
            type: "object",
            required: ["metadata"],
            properties: {
              apiVersion: { type: "string" },
              kind: { type: "string" },
              metadata: { type: "object" },
              spec: freeForm,
              status: freeForm,
            },
            // WorkflowTaskResults carry their payload at the top level, not under spec.
            ...(k.kind === "WorkflowTaskResult" ? { "x-kubernetes-preserve-unknown-fields": true } : {}),
          },
        },
        ...(k.kind === "Workflow"
          ? {
              additionalPrinterColumns: [
                { name: "Status", type: "string", jsonPath: ".status.phase", description: "Status of the workflow" },
                {
                  name: "Age",
                  type: "date",
                  format: "date-time",
                  jsonPath: ".status.startedAt",
                  description: "When the workflow was started",
                },
              ],
            }
          : {}),
      },
    ],
  };
}

export class ArgoCrds extends pulumi.ComponentResource {
  /** CRDs by kind; custom resources must name theirs in dependsOn. */
  public readonly byKind: Record<string, CustomResourceDefinition> = {};

  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("argo-platform:argo:Crds", name, {}, opts);
    for (const k of ARGO_KINDS) {
      const crdName = `${k.plural}.argoproj.io`;
      // retainOnDelete: deleting a CRD deletes every object of its kind in the cluster, in every namespace. A
      // destroy leaves them (and so other teams' Argo objects) in place; remove them by hand if really wanted.
      this.byKind[k.kind] = new k8s.apiextensions.v1.CustomResourceDefinition(
        crdName,
        { metadata: { name: crdName, labels: labels("controller") }, spec: crdSpec(k) },
        { parent: this, retainOnDelete: true },
      );
    }
    this.registerOutputs({ byKind: this.byKind });
  }
}
