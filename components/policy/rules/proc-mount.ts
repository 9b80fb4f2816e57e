// Rule proc-mount: no workflow container unmasks /proc.
import { firstContainer, scField, someContainer, specAndTemplates } from "../cel.ts";
import { writtenContainers } from "../pods.ts";
import type { Rule, Violation } from "../rule.ts";
import { violation } from "../rule.ts";

const ID = "proc-mount";

/** Pod Security baseline (check_procMount_baseline): `procMount` unset or Default in every container. */
export const procMount: Rule = {
  id: ID,
  title: "Default /proc mount (Pod Security restricted)",
  element: "every container of every pod-building template and templateDefaults",
  fields: ["securityContext.procMount"],
  allowed: "Default or unset",
  check(w) {
    const out: Violation[] = [];
    for (const pod of w.pods)
      for (const c of writtenContainers(pod)) {
        const mount = c.securityContext.procMount;
        if (mount !== undefined && mount !== "Default")
          out.push(
            violation(ID, `${c.path}.securityContext.procMount`, "must be Default or unset (Pod Security restricted)"),
          );
      }
    return out;
  },
  cel: () => {
    const bad = (c: string, role: "main" | "aux") => `${scField(c, "procMount", role, "Default")} != 'Default'`;
    return specAndTemplates({
      ruleId: ID,
      templates: "pod",
      templateBad: (t) => `(${someContainer(t, bad)})`,
      templateMessage: (t) =>
        `${firstContainer(t, bad)} + ': securityContext.procMount must be Default or unset (Pod Security restricted)'`,
    });
  },
};
