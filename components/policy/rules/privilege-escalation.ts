// Rule privilege-escalation: every container of a workflow pod runs with allowPrivilegeEscalation false.
import { firstContainer, scField, someContainer, specAndTemplates } from "../cel.ts";
import { writtenContainers } from "../pods.ts";
import type { Rule, Violation } from "../rule.ts";
import { violation } from "../rule.ts";

const ID = "privilege-escalation";

/**
 * Pod Security restricted (check_allowPrivilegeEscalation) wants `false` in every container. Main containers get it
 * from the ConfigMap's mainContainer unless they say otherwise; init containers and sidecars get no defaults
 * (addInitContainers, addSidecars in workflowpod.go), so they must set it themselves.
 */
export const privilegeEscalation: Rule = {
  id: ID,
  title: "allowPrivilegeEscalation is false in every container (Pod Security restricted)",
  element: "every container of every pod-building template and templateDefaults",
  fields: ["securityContext.allowPrivilegeEscalation"],
  allowed:
    "false; main containers may leave it unset (the controller sets false), sidecars and init containers may not",
  check(w) {
    const out: Violation[] = [];
    for (const pod of w.pods)
      for (const c of writtenContainers(pod))
        if (c.securityContext.allowPrivilegeEscalation !== false)
          out.push(
            violation(
              ID,
              `${c.path}.securityContext.allowPrivilegeEscalation`,
              c.role === "main"
                ? "must not be true (Pod Security restricted); remove it"
                : "must be set to false: Pod Security restricted requires it in every container, and the controller gives sidecars and init containers no defaults",
            ),
          );
    return out;
  },
  cel: () => {
    const bad = (c: string, role: "main" | "aux") => `${scField(c, "allowPrivilegeEscalation", role, true)} != false`;
    return specAndTemplates({
      ruleId: ID,
      templates: "pod",
      templateBad: (t) => `(${someContainer(t, bad)})`,
      templateMessage: (t) =>
        `${firstContainer(t, bad)} + ': set securityContext.allowPrivilegeEscalation to false; Pod Security restricted requires it in every container, and sidecars and init containers get no defaults'`,
    });
  },
};
