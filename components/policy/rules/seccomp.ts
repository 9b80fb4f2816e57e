// Rule seccomp: every container of a workflow pod runs under the RuntimeDefault or a Localhost seccomp profile.
import { WORKFLOW_POD_SECURITY_CONTEXT } from "../../argo/controller-config.ts";
import {
  SPEC,
  argoSatisfies,
  firstContainer,
  lit,
  opt,
  podField,
  scField,
  someContainer,
  specAndTemplates,
} from "../cel.ts";
import { writtenContainers } from "../pods.ts";
import type { Rule, Violation } from "../rule.ts";
import { violation, writtenPodSecurityContexts } from "../rule.ts";

const ID = "seccomp";
const VALID = ["RuntimeDefault", "Localhost"];

/**
 * Pod Security restricted (check_seccompProfile_restricted): a profile set anywhere must be RuntimeDefault or
 * Localhost, and every container must have one, from the pod or from itself. As for non-root: the workflow's pod
 * securityContext has RuntimeDefault from workflowDefaults; a template's own replaces it whole.
 */
export const seccomp: Rule = {
  id: ID,
  title: "Seccomp profile RuntimeDefault or Localhost (Pod Security restricted)",
  element:
    "the workflow's securityContext; the securityContext and containers of every pod-building template and templateDefaults",
  fields: ["securityContext.seccompProfile.type"],
  allowed: "RuntimeDefault or Localhost wherever set, and set for every container (from the pod or the container)",
  check(w) {
    const out: Violation[] = [];
    const why = "must be RuntimeDefault or Localhost (Pod Security restricted)";
    for (const { path, sc } of writtenPodSecurityContexts(w))
      if (sc.seccompProfile !== undefined && !VALID.includes(sc.seccompProfile?.type))
        out.push(violation(ID, `${path}.seccompProfile.type`, why));
    for (const pod of w.pods) {
      for (const c of writtenContainers(pod))
        if (
          c.written.securityContext?.seccompProfile !== undefined &&
          !VALID.includes(c.securityContext.seccompProfile?.type)
        )
          out.push(violation(ID, `${c.path}.securityContext.seccompProfile.type`, why));
      if (!VALID.includes(pod.securityContext.seccompProfile?.type)) {
        const missing = pod.containers.filter((c) => !VALID.includes(c.securityContext.seccompProfile?.type));
        if (missing.length)
          out.push(
            violation(
              ID,
              `${pod.securityContextPath}.seccompProfile.type`,
              `must be RuntimeDefault or Localhost: it is the pod securityContext of ${pod.template.label}, replacing the workflow's, and ${missing.map((c) => c.label).join(", ")} do(es) not set a profile itself`,
            ),
          );
      }
    }
    return out;
  },
  cel: () => {
    const valid = lit(VALID);
    const setBad = (x: string) =>
      `(${opt(x, "securityContext.seccompProfile")}.hasValue() && !(${opt(x, "securityContext.seccompProfile.type")}.orValue('') in ${valid}))`;
    const containerBad = (c: string, role: "main" | "aux") =>
      `(${opt(c, "securityContext.seccompProfile")}.hasValue() && !(${scField(c, "seccompProfile.type", role, "")} in ${valid}))`;
    const unset = (c: string, role: "main" | "aux") => `!(${scField(c, "seccompProfile.type", role, "")} in ${valid})`;
    const argoUnset = !argoSatisfies((sc) => VALID.includes(sc.seccompProfile?.type));
    const podUnset = (t: string) =>
      `(!(${podField(t, "seccompProfile.type", "", WORKFLOW_POD_SECURITY_CONTEXT.seccompProfile.type)} in ${valid}) && (${argoUnset} || ${someContainer(t, unset)}))`;
    return specAndTemplates({
      ruleId: ID,
      specBad: setBad(SPEC),
      specMessage: `'spec.securityContext.seccompProfile.type is "' + string(${opt(SPEC, "securityContext.seccompProfile.type")}.orValue('')) + '": use RuntimeDefault or Localhost (Pod Security restricted)'`,
      templates: "pod",
      templateBad: (t) => `(${setBad(t)} || ${someContainer(t, containerBad)} || ${podUnset(t)})`,
      templateMessage: (t) =>
        `(${setBad(t)} ? 'securityContext.seccompProfile.type must be RuntimeDefault or Localhost' : ` +
        `${someContainer(t, containerBad)} ? ${firstContainer(t, containerBad)} + ': securityContext.seccompProfile.type must be RuntimeDefault or Localhost' : ` +
        `'set securityContext.seccompProfile.type: RuntimeDefault on the template (its securityContext replaces the workflow\\'s for its pod), or on ' + ${firstContainer(t, unset)}) + ' (Pod Security restricted)'`,
    });
  },
};
