// An offline stand-in for the API server's ValidatingAdmissionPolicy evaluation, on a standard CEL engine: what the
// policy tests run the generated policies with.
//
// What it does not cover, and so no test here proves: the API server's CEL cost metering (Verdict.reads counts field
// reads of the object, a lower bound that shows how cost grows, not the cost), Kubernetes' CEL library extensions
// (strings, lists, regex, quantity...: the policies use none, and a test checks the functions they call), and the
// compile-time type check against the CRD schemas (it only produces warnings in the policy's status). cel-js also
// accepts only identifier chains inside has(), so the generated CEL tests indexed operands with `.?f.hasValue()`.
import { Environment } from "@marcbachmann/cel-js";

/** One admission request as the API server hands it to a policy (the fields these policies read). */
export interface AdmissionRequest {
  operation: "CREATE" | "UPDATE";
  /** Plural resource name in argoproj.io/v1alpha1: workflowtemplates, workflows, cronworkflows. */
  resource: string;
  object: Record<string, any>;
  /** The stored object, on UPDATE. */
  oldObject?: Record<string, any>;
  /** `request.userInfo.username`. */
  username: string;
  /** Labels of the object's namespace (the API server sets kubernetes.io/metadata.name on every namespace). */
  namespaceLabels?: Record<string, string>;
}

export interface Failure {
  /** Index of the failed validation in the policy. */
  index: number;
  message: string;
  /** Set when the expression could not be evaluated: failurePolicy Fail refuses the request then. */
  error?: string;
  /** Set when the messageExpression could not be evaluated (the API server then shows `message`). */
  messageError?: string;
}

export interface Verdict {
  /** Whether the policy's matchConstraints and matchConditions selected the request at all. */
  matched: boolean;
  failures: Failure[];
  /** Field reads of `object`/`oldObject` during evaluation: a lower bound of the API server's CEL cost. */
  reads: number;
}

// Kubernetes compiles policies with optional types enabled (cel.OptionalTypes in k8s.io/apiserver's base
// environment); everything else used here is standard CEL. Variables are declared dyn, as the API server declares
// object and oldObject of a custom resource whose schema preserves unknown fields.
const env = new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: false })
  .registerVariable("object", "dyn")
  .registerVariable("oldObject", "dyn")
  .registerVariable("request", "dyn")
  .registerVariable("variables", "dyn");

/** JSON as unstructured Kubernetes objects carry it into CEL: whole numbers are int64, others double. */
export function toCel(value: unknown): any {
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  return value;
}

/** Wraps a converted object so that every field read is counted. */
function counted(value: any, counter: { reads: number }): any {
  if (!value || typeof value !== "object") return value;
  return new Proxy(value, {
    get(target, key, receiver) {
      counter.reads++;
      return counted(Reflect.get(target, key, receiver), counter);
    },
  });
}

const compiled = new Map<string, ReturnType<typeof env.parse>>();
function compile(expression: string) {
  let fn = compiled.get(expression);
  if (!fn) {
    fn = env.parse(expression);
    compiled.set(expression, fn);
  }
  return fn;
}

function matches(spec: any, req: AdmissionRequest): boolean {
  const c = spec.matchConstraints;
  const ruleOk = c.resourceRules.some(
    (r: any) =>
      r.apiGroups.includes("argoproj.io") &&
      r.apiVersions.includes("v1alpha1") &&
      r.resources.includes(req.resource) &&
      r.operations.includes(req.operation),
  );
  const labels: Record<string, string> = req.namespaceLabels ?? {
    "kubernetes.io/metadata.name": req.object.metadata?.namespace,
  };
  const selectorOk = Object.entries<string>(c.namespaceSelector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return ruleOk && selectorOk;
}

/**
 * Evaluates a ValidatingAdmissionPolicy's spec on one request as the API server does: matchConstraints, then every
 * matchCondition (all must be true), then each validation, with `variables` evaluated lazily, once, in order.
 */
export function evaluatePolicy(spec: any, req: AdmissionRequest): Verdict {
  if (!matches(spec, req)) return { matched: false, failures: [], reads: 0 };
  const counter = { reads: 0 };
  const context: Record<string, any> = {
    object: counted(toCel(req.object), counter),
    oldObject: req.oldObject ? counted(toCel(req.oldObject), counter) : null,
    request: {
      operation: req.operation,
      namespace: req.object.metadata?.namespace ?? "",
      name: req.object.metadata?.name ?? "",
      resource: { group: "argoproj.io", version: "v1alpha1", resource: req.resource },
      userInfo: { username: req.username },
    },
  };
  const variables: Record<string, any> = {};
  for (const v of spec.variables ?? []) {
    let state: { value: any } | { error: unknown } | undefined;
    Object.defineProperty(variables, v.name, {
      enumerable: true,
      get() {
        state ??= (() => {
          try {
            return { value: compile(v.expression)(context) };
          } catch (error) {
            return { error };
          }
        })();
        if ("error" in state) throw state.error;
        return state.value;
      },
    });
  }
  context.variables = variables;
  for (const m of spec.matchConditions ?? []) {
    // An error in a match condition is decided by failurePolicy; these policies say Fail, so it is a refusal.
    if (compile(m.expression)(context) !== true) return { matched: false, failures: [], reads: counter.reads };
  }
  const failures: Failure[] = [];
  (spec.validations ?? []).forEach((val: any, index: number) => {
    let result: unknown;
    try {
      result = compile(val.expression)(context);
    } catch (e) {
      failures.push({ index, message: val.message ?? "", error: (e as Error).message.split("\n")[0] });
      return;
    }
    if (result === true) return;
    if (result !== false) {
      failures.push({ index, message: val.message ?? "", error: `expression returned ${String(result)}, not a bool` });
      return;
    }
    try {
      const message = val.messageExpression ? compile(val.messageExpression)(context) : val.message;
      failures.push({ index, message: typeof message === "string" && message ? message : (val.message ?? "") });
    } catch (e) {
      failures.push({ index, message: val.message ?? "", messageError: (e as Error).message.split("\n")[0] });
    }
  });
  return { matched: true, failures, reads: counter.reads };
}

/** The CEL functions and macros an expression calls (receiver-style and global), for the standard-CEL check. */
export function calledFunctions(expression: string): Set<string> {
  const names = new Set<string>();
  const walk = (node: any) => {
    if (!node || typeof node !== "object") return;
    if (Array.isArray(node)) return node.forEach(walk);
    if (node.op === "call" || node.op === "rcall") names.add(node.args[0]);
    if ("args" in node) walk(node.args);
  };
  walk(compile(expression).ast);
  return names;
}
