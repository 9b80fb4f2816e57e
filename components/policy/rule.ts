// The shape of one template rule: what it reads, what it allows, and its two enforcers (repository check and CEL).
import type { WorkflowView } from "./pods.ts";

/** One problem the repository check found: which rule, where in the file, and what to change. */
export interface Violation {
  ruleId: string;
  /** Like `spec.templates[2].sidecars[0].securityContext.privileged`. */
  path: string;
  /** Says what to change, and why when it is not obvious. */
  message: string;
}

/** A named CEL expression, evaluated lazily by the API server (`spec.variables` of the policy). */
export interface CelVariable {
  name: string;
  expression: string;
}

/**
 * The admission side of a rule: one validation of the ValidatingAdmissionPolicy, plus the variables only it uses
 * (shared ones live in cel.ts). `expression` is true when the object passes; `messageExpression` is evaluated only
 * when it does not, and names the template, the field and what to change.
 */
export interface CelRule {
  variables?: CelVariable[];
  expression: string;
  messageExpression: string;
}

/** What rules may depend on that is configured elsewhere (the registry builds it once). */
export interface RuleContext {
  /** Secrets in the data plane that belong to the platform; no template may read them. */
  platformSecrets: readonly string[];
}

export interface Rule {
  /** Kebab-case, stable: messages, README and tests name it. */
  id: string;
  /** One line a template author reads. */
  title: string;
  /** The element of a workflow spec the rule looks at, in words. */
  element: string;
  /** The fields it reads, relative to that element. */
  fields: string[];
  /** The values it allows, in words. */
  allowed: string;
  /** The repository check: every violation in one workflow spec. */
  check(workflow: WorkflowView, ctx: RuleContext): Violation[];
  /** The admission check of the same rule. */
  cel(ctx: RuleContext): CelRule;
}

/** Builds a violation that names its rule. */
export function violation(ruleId: string, path: string, message: string): Violation {
  return { ruleId, path, message };
}

/**
 * The fields a workflow spec and each of its templates both carry (a template's own value beats the spec's): calls
 * `visit` with the spec and then every template (templateDefaults included), each with its path.
 */
export function specAndEveryTemplate(w: WorkflowView, visit: (o: Record<string, any>, at: string) => void): void {
  visit(w.spec, w.at);
  for (const t of w.templates) visit(t.template, t.path);
}

/** The pod-level securityContexts a workflow spec writes: the spec's, and each pod-building template's own. */
export function writtenPodSecurityContexts(w: WorkflowView): { path: string; sc: Record<string, any> }[] {
  const out: { path: string; sc: Record<string, any> }[] = [];
  const add = (o: Record<string, any>, at: string) => {
    const sc = o.securityContext;
    if (sc && typeof sc === "object" && !Array.isArray(sc)) out.push({ path: `${at}.securityContext`, sc });
  };
  add(w.spec, w.at);
  for (const pod of w.pods) add(pod.template.template, pod.template.path);
  return out;
}
