// Rule non-root: no container of a workflow pod may run as root.
import { WORKFLOW_POD_SECURITY_CONTEXT } from "../../argo/controller-config.ts";
import {
  SPEC,
  argoSatisfies,
  firstContainer,
  opt,
  podField,
  scField,
  someContainer,
  specAndTemplates,
} from "../cel.ts";
import { writtenContainers } from "../pods.ts";
import type { Rule, Violation } from "../rule.ts";
import { violation, writtenPodSecurityContexts } from "../rule.ts";

const ID = "non-root";

/**
 * Pod Security restricted (check_runAsNonRoot, check_runAsUser): nothing may set `runAsNonRoot: false` or
 * `runAsUser: 0`, and every container must end up with `runAsNonRoot: true`, from the pod or from itself.
 * The workflow's pod securityContext has it from workflowDefaults, so a workflow-level one need only not weaken it;
 * a template's own replaces the workflow's whole, so it must carry `runAsNonRoot: true` itself unless every
 * container of its pod sets it (main containers do, from mainContainer; sidecars and init containers only if written).
 */
export const nonRoot: Rule = {
  id: ID,
  title: "Containers run as non-root (Pod Security restricted)",
  element:
    "the workflow's securityContext; the securityContext and containers of every pod-building template and templateDefaults",
  fields: ["securityContext.runAsNonRoot", "securityContext.runAsUser"],
  allowed: "runAsNonRoot never false and true for every container (from the pod or the container); runAsUser never 0",
  check(w) {
    const out: Violation[] = [];
    for (const { path, sc } of writtenPodSecurityContexts(w)) {
      if (sc.runAsNonRoot === false) out.push(violation(ID, `${path}.runAsNonRoot`, "must not be false; set true"));
      if (sc.runAsUser === 0) out.push(violation(ID, `${path}.runAsUser`, "must not be 0 (root); use a non-zero uid"));
    }
    for (const pod of w.pods) {
      for (const c of writtenContainers(pod)) {
        if (c.securityContext.runAsNonRoot === false)
          out.push(violation(ID, `${c.path}.securityContext.runAsNonRoot`, "must not be false; set true or remove it"));
        if (c.securityContext.runAsUser === 0)
          out.push(violation(ID, `${c.path}.securityContext.runAsUser`, "must not be 0 (root); use a non-zero uid"));
      }
      if (pod.securityContext.runAsNonRoot !== true) {
        const missing = pod.containers.filter((c) => c.securityContext.runAsNonRoot !== true);
        if (missing.length)
          out.push(
            violation(
              ID,
              `${pod.securityContextPath}.runAsNonRoot`,
              `must be true: it is the pod securityContext of ${pod.template.label}, replacing the workflow's, and ${missing.map((c) => c.label).join(", ")} do(es) not set runAsNonRoot itself`,
            ),
          );
      }
    }
    return out;
  },
  cel: () => {
    const weak = (x: string) =>
      `(${opt(x, "securityContext.runAsNonRoot")}.orValue(true) == false || ${opt(x, "securityContext.runAsUser")}.orValue(-1) == 0)`;
    const containerWeak = (c: string, role: "main" | "aux") =>
      `(${scField(c, "runAsNonRoot", role, true)} == false || ${scField(c, "runAsUser", role, -1)} == 0)`;
    const unset = (c: string, role: "main" | "aux") => `${scField(c, "runAsNonRoot", role, false)} != true`;
    const argoUnset = !argoSatisfies((sc) => sc.runAsNonRoot === true);
    const podUnset = (t: string) =>
      `(${podField(t, "runAsNonRoot", false, WORKFLOW_POD_SECURITY_CONTEXT.runAsNonRoot)} != true && (${argoUnset} || ${someContainer(t, unset)}))`;
    return specAndTemplates({
      ruleId: ID,
      specBad: weak(SPEC),
      specMessage: `'spec.securityContext sets runAsNonRoot: false or runAsUser: 0: remove them (Pod Security restricted refuses root)'`,
      templates: "pod",
      templateBad: (t) => `(${weak(t)} || ${someContainer(t, containerWeak)} || ${podUnset(t)})`,
      templateMessage: (t) =>
        `(${weak(t)} ? 'securityContext sets runAsNonRoot: false or runAsUser: 0: remove them' : ` +
        `${someContainer(t, containerWeak)} ? ${firstContainer(t, containerWeak)} + ' sets runAsNonRoot: false or runAsUser: 0: remove them' : ` +
        `'set securityContext.runAsNonRoot: true on the template (its securityContext replaces the workflow\\'s for its pod), or on ' + ${firstContainer(t, unset)}) + '; Pod Security restricted refuses containers that may run as root'`,
    });
  },
};
