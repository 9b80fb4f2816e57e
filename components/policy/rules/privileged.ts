// Rule privileged: no privileged or Windows HostProcess container in a workflow pod.
import { SPEC, firstContainer, opt, scField, someContainer, specAndTemplates } from "../cel.ts";
import { writtenContainers } from "../pods.ts";
import type { Rule, Violation } from "../rule.ts";
import { violation, writtenPodSecurityContexts } from "../rule.ts";

const ID = "privileged";

/**
 * Pod Security baseline (check_privileged, check_windowsHostProcess). A template's containers are copied as written;
 * main containers have the ConfigMap's mainContainer merged under them, which sets neither field.
 */
export const privileged: Rule = {
  id: ID,
  title: "No privileged or HostProcess containers (Pod Security restricted)",
  element: "every container of every pod-building template and templateDefaults; pod-level securityContexts",
  fields: ["securityContext.privileged", "securityContext.windowsOptions.hostProcess"],
  allowed: "false or unset",
  check(w) {
    const out: Violation[] = [];
    for (const { path, sc } of writtenPodSecurityContexts(w))
      if (sc.windowsOptions?.hostProcess === true)
        out.push(violation(ID, `${path}.windowsOptions.hostProcess`, "must not be true (Pod Security restricted)"));
    for (const pod of w.pods)
      for (const c of writtenContainers(pod)) {
        if (c.securityContext.privileged === true)
          out.push(
            violation(
              ID,
              `${c.path}.securityContext.privileged`,
              "must not be true (Pod Security restricted refuses privileged containers); remove it",
            ),
          );
        if (c.securityContext.windowsOptions?.hostProcess === true)
          out.push(
            violation(
              ID,
              `${c.path}.securityContext.windowsOptions.hostProcess`,
              "must not be true (Pod Security restricted)",
            ),
          );
      }
    return out;
  },
  cel: () => {
    const hostProcess = (x: string) => `${opt(x, "securityContext.windowsOptions.hostProcess")}.orValue(false) == true`;
    const bad = (c: string, role: "main" | "aux") =>
      `(${scField(c, "privileged", role, false)} == true || ${scField(c, "windowsOptions.hostProcess", role, false)} == true)`;
    return specAndTemplates({
      ruleId: ID,
      specBad: hostProcess(SPEC),
      specMessage: `'spec.securityContext.windowsOptions.hostProcess is true: remove it (Pod Security restricted)'`,
      templates: "pod",
      templateBad: (t) => `(${hostProcess(t)} || ${someContainer(t, bad)})`,
      templateMessage: (t) =>
        `(${hostProcess(t)} ? 'securityContext.windowsOptions.hostProcess is true: remove it' : ${firstContainer(t, bad)} + ' is privileged (securityContext.privileged or windowsOptions.hostProcess): remove it') + '; Pod Security restricted refuses it'`,
    });
  },
};
