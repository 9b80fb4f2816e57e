// The template rules at the API server: a ValidatingAdmissionPolicy generated from the rule registry, the Workflow
// status policy, and their bindings, so what the UI (or kubectl) sends is judged as the repository check judges it.
import * as k8s from "../shared/k8s.ts";
import * as pulumi from "../shared/pulumi.ts";
import { NAMES, logicalName, metadata } from "../shared/kube.ts";
import { SHARED_VARIABLES } from "./cel.ts";
import { RULES, RULE_CONTEXT } from "./rules/index.ts";
import { STATUS_VALIDATIONS, STATUS_VARIABLES } from "./status.ts";
import type {
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
} from "@pulumi/kubernetes/admissionregistration/v1/index.js";

/** What a binding does with a refused request (the stack setting `templatePolicyAction`). */
export type PolicyAction = "Deny" | "Warn" | "Audit";

export const RULES_POLICY_NAME = "argo-platform-workflow-rules";
export const STATUS_POLICY_NAME = "argo-platform-workflow-status";

/** Warn also audits, so a rollout on Warn leaves a record in the audit log as well as in the requester's output. */
export function validationActions(action: PolicyAction): string[] {
  return action === "Warn" ? ["Warn", "Audit"] : [action];
}

/**
 * Fail: when an expression cannot be evaluated (a field of an unexpected type in an object whose schema preserves
 * unknown fields, or the API server's CEL cost budget running out on a huge template), the request is refused.
 * Ignore would let exactly the objects crafted to confuse the rules through.
 */
const FAILURE_POLICY = "Fail";

function matchConstraints(dataPlane: string, resources: string[]) {
  return {
    resourceRules: [
      { apiGroups: ["argoproj.io"], apiVersions: ["v1alpha1"], resources, operations: ["CREATE", "UPDATE"] },
    ],
    // Only the data plane: the one namespace the controller runs workflows in.
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": dataPlane } },
  };
}

/**
 * The template rules, one validation per rule in registry order. They apply to every requester: the controller
 * never writes templates, and a Workflow it updates carries the spec it was admitted with.
 */
export function rulesPolicySpec(dataPlane: string) {
  const rules = RULES.map((rule) => ({ rule, cel: rule.cel(RULE_CONTEXT) }));
  return {
    failurePolicy: FAILURE_POLICY,
    matchConstraints: matchConstraints(dataPlane, ["workflowtemplates", "workflows", "cronworkflows"]),
    variables: [...SHARED_VARIABLES, ...rules.flatMap(({ cel }) => cel.variables ?? [])],
    validations: rules.map(({ rule, cel }) => ({
      expression: cel.expression,
      messageExpression: cel.messageExpression,
      // Shown if the messageExpression cannot be evaluated.
      message: `${rule.title} (platform rule ${rule.id})`,
    })),
  };
}

/** The status rule (status.ts), for Workflows, for everyone but the workflow controller. */
export function statusPolicySpec(dataPlane: string, controlPlane: string) {
  const controller = `system:serviceaccount:${controlPlane}:${NAMES.controllerServiceAccount}`;
  return {
    failurePolicy: FAILURE_POLICY,
    matchConstraints: matchConstraints(dataPlane, ["workflows"]),
    // A second policy rather than a condition in each validation, so the template rules above still apply to the
    // controller's own requests.
    matchConditions: [
      { name: "not-the-workflow-controller", expression: `request.userInfo.username != '${controller}'` },
    ],
    variables: STATUS_VARIABLES,
    validations: STATUS_VALIDATIONS,
  };
}

export interface TemplatePolicyArgs {
  /** The namespace workflows run in (config `dataPlaneNamespace`); both policies match only there. */
  dataPlaneName: string;
  /** The controller's namespace (config `controlPlaneNamespace`): names the one account the status rule exempts. */
  controlPlaneName: string;
  /**
   * What the bindings do with a refused request (config `templatePolicyAction`). Default `Deny`. `Warn` admits it
   * with a warning to the requester and an audit annotation; `Audit` only records it in the audit log.
   */
  action?: PolicyAction;
}

/** Both policies and their bindings. Cluster-scoped objects: one platform per cluster, like the Argo CRDs. */
export class TemplatePolicy extends pulumi.ComponentResource {
  public readonly rulesPolicy: ValidatingAdmissionPolicy;
  public readonly rulesBinding: ValidatingAdmissionPolicyBinding;
  public readonly statusPolicy: ValidatingAdmissionPolicy;
  public readonly statusBinding: ValidatingAdmissionPolicyBinding;
  /** The bindings' validationActions. */
  public readonly validationActions: string[];

  constructor(name: string, args: TemplatePolicyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("argo-platform:policy:TemplatePolicy", name, {}, opts);
    this.validationActions = validationActions(args.action ?? "Deny");
    const policy = (policyName: string, spec: Record<string, any>) =>
      new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
        logicalName(undefined, policyName),
        { metadata: metadata(undefined, policyName, "platform"), spec },
        { parent: this },
      );
    const binding = (p: ValidatingAdmissionPolicy, policyName: string) =>
      new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
        logicalName(undefined, policyName),
        {
          metadata: metadata(undefined, policyName, "platform"),
          // Reading the policy's name makes the binding wait for it.
          spec: { policyName: p.metadata.name, validationActions: this.validationActions },
        },
        { parent: this },
      );
    this.rulesPolicy = policy(RULES_POLICY_NAME, rulesPolicySpec(args.dataPlaneName));
    this.rulesBinding = binding(this.rulesPolicy, RULES_POLICY_NAME);
    this.statusPolicy = policy(STATUS_POLICY_NAME, statusPolicySpec(args.dataPlaneName, args.controlPlaneName));
    this.statusBinding = binding(this.statusPolicy, STATUS_POLICY_NAME);
    this.registerOutputs({
      rulesPolicy: this.rulesPolicy,
      rulesBinding: this.rulesBinding,
      statusPolicy: this.statusPolicy,
      statusBinding: this.statusBinding,
      validationActions: this.validationActions,
    });
  }
}
