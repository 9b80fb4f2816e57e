// The CEL building blocks the rules share: the policy's common variables and snippets that walk a template's
// containers the way pods.ts does, in standard CEL (plus optional types) so any conforming engine evaluates them.
import { EXECUTOR_SECURITY_CONTEXT, MAIN_CONTAINER_SECURITY_CONTEXT } from "../argo/controller-config.ts";
import { POD_TEMPLATE_KINDS } from "./pods.ts";
import type { CelRule, CelVariable } from "./rule.ts";

/** A CEL literal for a JSON value. */
export function lit(v: unknown): string {
  if (typeof v === "string") return `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(lit).join(", ")}]`;
  throw new Error(`no CEL literal for ${JSON.stringify(v)}`);
}

/** `x.?a.?b` for the dotted path `a.b`: an optional that is empty when any step is absent. */
export function opt(x: string, dotted: string): string {
  return `${x}${dotted
    .split(".")
    .map((f) => `.?${f}`)
    .join("")}`;
}

/**
 * CEL: field `f` of `x` is present. `has()` where `x` is a plain selection; on an indexed operand
 * (`variables.list[0]`) the equivalent optional test, since some engines (cel-js among them) accept only
 * identifier chains inside `has()`.
 */
export function present(x: string, f: string): string {
  return x.includes("[") ? `${x}.?${f}.hasValue()` : `has(${x}.${f})`;
}

/** The workflow spec under check: WorkflowTemplates and Workflows carry it in `spec`, CronWorkflows in `spec.workflowSpec`. */
export const SPEC = "variables.spec";
/** `spec.templateDefaults`, or `{}`. */
export const DEFAULTS = "variables.templateDefaults";
export const ALL_TEMPLATES = "variables.allTemplates";
export const POD_TEMPLATES = "variables.podTemplates";

/**
 * Variables every rule may use. The API server evaluates a variable only when an expression first reads it, and
 * once per request (k8s.io/apiserver plugin/cel); the CRDs preserve unknown fields, so every field read is guarded.
 */
export const SHARED_VARIABLES: CelVariable[] = [
  {
    name: "spec",
    expression:
      "request.resource.resource == 'cronworkflows' ? object.?spec.?workflowSpec.orValue({}) : object.?spec.orValue({})",
  },
  { name: "templates", expression: `${SPEC}.?templates.orValue([])` },
  { name: "templateDefaults", expression: `${SPEC}.?templateDefaults.orValue({})` },
  {
    // templateDefaults is strategic-merged under every template (operator.go mergedTemplateDefaultsInto): it is
    // checked as one more template, last.
    name: "allTemplates",
    expression: `variables.templates + (has(${SPEC}.templateDefaults) ? [${SPEC}.templateDefaults] : [])`,
  },
  {
    name: "podTemplates",
    expression: `variables.templates.filter(t, ${POD_TEMPLATE_KINDS.map((k) => `has(t.${k})`).join(" || ")}) + (has(${SPEC}.templateDefaults) ? [${SPEC}.templateDefaults] : [])`,
  },
];

/** For messages: `template "build"`, or `spec.templateDefaults` for the template without a name. */
export function templateLabel(t: string): string {
  return `(${present(t, "name")} ? 'template "' + string(${t}.name) + '"' : 'spec.templateDefaults')`;
}

export type Role = "main" | "aux";
/** A CEL predicate on one container (`c`), told whether the controller merges mainContainer under it. */
export type ContainerPredicate = (c: string, role: Role) => string;

function valueAt(o: unknown, dotted: string): unknown {
  return dotted.split(".").reduce<any>((v, k) => (v && typeof v === "object" ? v[k] : undefined), o);
}

/**
 * `securityContext.<dotted>` of a container as the pod will carry it: a main container falls back to the
 * ConfigMap's mainContainer value (merged under it field by field), the others to `absent`.
 */
export function scField(c: string, dotted: string, role: Role, absent: unknown): string {
  const fallback = role === "main" ? (valueAt(MAIN_CONTAINER_SECURITY_CONTEXT, dotted) ?? absent) : absent;
  return `${opt(c, `securityContext.${dotted}`)}.orValue(${lit(fallback)})`;
}

/** Whether argo's own containers (executor.securityContext) satisfy a JS predicate on a security context. */
export function argoSatisfies(ok: (sc: Record<string, any>) => boolean): boolean {
  return ok(EXECUTOR_SECURITY_CONTEXT);
}

/** CEL: some container of template `t` (main, init or sidecar) matches `bad`. */
export function someContainer(t: string, bad: ContainerPredicate): string {
  return [
    `(${present(t, "container")} && ${bad(`${t}.container`, "main")})`,
    `(${present(t, "script")} && ${bad(`${t}.script`, "main")})`,
    `${opt(t, "containerSet.containers")}.orValue([]).exists(c, ${bad("c", "main")})`,
    `${t}.?initContainers.orValue([]).exists(c, ${bad("c", "aux")})`,
    `${t}.?sidecars.orValue([]).exists(c, ${bad("c", "aux")})`,
  ].join(" || ");
}

/** CEL string naming the first container of `t` that matches `bad` (call it only when one does). */
export function firstContainer(t: string, bad: ContainerPredicate): string {
  const named = (kind: string, listExpr: string, role: Role) =>
    `'${kind} "' + string(${listExpr}.filter(c, ${bad("c", role)})[0].?name.orValue('')) + '"'`;
  return (
    `((${present(t, "container")} && ${bad(`${t}.container`, "main")}) ? 'container' : ` +
    `(${present(t, "script")} && ${bad(`${t}.script`, "main")}) ? 'script' : ` +
    `${opt(t, "containerSet.containers")}.orValue([]).exists(c, ${bad("c", "main")}) ? ${named("container", `${t}.containerSet.containers`, "main")} : ` +
    `${t}.?initContainers.orValue([]).exists(c, ${bad("c", "aux")}) ? ${named("init container", `${t}.initContainers`, "aux")} : ` +
    `${named("sidecar", `${t}.sidecars`, "aux")})`
  );
}

/** camelCase of a rule id, for its variable names. */
export function camel(id: string): string {
  return id.replace(/-(\w)/g, (_, ch: string) => ch.toUpperCase());
}

export interface SpecAndTemplates {
  ruleId: string;
  /** CEL, true when the workflow spec itself breaks the rule. */
  specBad?: string;
  /** CEL string, evaluated only when specBad is true. */
  specMessage?: string;
  /** Which templates: every one, or the ones that build a pod (both include templateDefaults). */
  templates?: "all" | "pod";
  /** CEL on `t`, true when the template breaks the rule. */
  templateBad?: (t: string) => string;
  /** CEL string for the first offending template `t` (without the template's label, which is added). */
  templateMessage?: (t: string) => string;
}

/**
 * The common shape of a rule's admission side: the spec-level check, then the first offending template, kept in a
 * variable so the message does not walk the templates a second time. Every message ends with the rule id, which
 * README's "For template authors" explains.
 */
export function specAndTemplates(o: SpecAndTemplates): CelRule {
  const variable = `${camel(o.ruleId)}Templates`;
  const first = `variables.${variable}[0]`;
  const parts: string[] = [];
  const variables: CelVariable[] = [];
  if (o.specBad) parts.push(`!(${o.specBad})`);
  if (o.templateBad) {
    variables.push({
      name: variable,
      expression: `${o.templates === "pod" ? POD_TEMPLATES : ALL_TEMPLATES}.filter(t, ${o.templateBad("t")})`,
    });
    parts.push(`size(variables.${variable}) == 0`);
  }
  const templateMessage = o.templateBad ? `${templateLabel(first)} + ': ' + ${o.templateMessage!(first)}` : "''";
  const message = o.specBad ? `((${o.specBad}) ? ${o.specMessage} : ${templateMessage})` : templateMessage;
  return {
    ...(variables.length ? { variables } : {}),
    expression: parts.join(" && "),
    messageExpression: `${message} + ' (platform rule ${o.ruleId})'`,
  };
}

/**
 * The admission side of `specAndEveryTemplate`: one condition, `bad(x)`, on the spec and on every template, and the
 * message `message(x, where)` for whichever breaks it first (`where` is "spec." for the spec, "" for a template).
 */
export function onSpecAndEveryTemplate(
  ruleId: string,
  bad: (x: string) => string,
  message: (x: string, where: string) => string,
): CelRule {
  return specAndTemplates({
    ruleId,
    specBad: bad(SPEC),
    specMessage: message(SPEC, "spec."),
    templates: "all",
    templateBad: bad,
    templateMessage: (t) => message(t, ""),
  });
}

/**
 * CEL for one field of the pod's securityContext as template `t`'s pod gets it: the template's own merged over
 * templateDefaults' when either has one (used whole, addSchedulingConstraints in workflowpod.go), else the
 * workflow spec's merged over workflowDefaults' (`workflowDefault`, workflow/util/merge.go).
 */
export function podField(t: string, dotted: string, absent: unknown, workflowDefault: unknown): string {
  const own = opt(t, `securityContext.${dotted}`);
  const fromDefaults = opt(DEFAULTS, `securityContext.${dotted}`);
  const fromWorkflow = `${opt(SPEC, `securityContext.${dotted}`)}.orValue(${lit(workflowDefault ?? absent)})`;
  return `((${present(t, "securityContext")} || has(${DEFAULTS}.securityContext)) ? ${own}.orValue(${fromDefaults}.orValue(${lit(absent)})) : ${fromWorkflow})`;
}
