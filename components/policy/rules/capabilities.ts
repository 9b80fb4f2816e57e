// Rule capabilities: every container of a workflow pod drops ALL capabilities and adds at most NET_BIND_SERVICE.
import { firstContainer, scField, someContainer, specAndTemplates } from "../cel.ts";
import { list, writtenContainers } from "../pods.ts";
import type { Rule, Violation } from "../rule.ts";
import { violation } from "../rule.ts";

const ID = "capabilities";

/**
 * Pod Security restricted (check_capabilities_restricted). Main containers get `drop: [ALL]` from the ConfigMap's
 * mainContainer; a template that writes its own `drop` list replaces it (strategic merge replaces lists of strings).
 * Sidecars and init containers get nothing.
 */
export const capabilities: Rule = {
  id: ID,
  title: "Capabilities: drop ALL, add at most NET_BIND_SERVICE (Pod Security restricted)",
  element: "every container of every pod-building template and templateDefaults",
  fields: ["securityContext.capabilities.drop", "securityContext.capabilities.add"],
  allowed: "drop contains ALL (main containers may leave it unset); add empty or only NET_BIND_SERVICE",
  check(w) {
    const out: Violation[] = [];
    for (const pod of w.pods)
      for (const c of writtenContainers(pod)) {
        const caps = c.securityContext.capabilities ?? {};
        if (!list(caps.drop).includes("ALL"))
          out.push(
            violation(
              ID,
              `${c.path}.securityContext.capabilities.drop`,
              c.role === "main"
                ? 'must contain "ALL" (Pod Security restricted), or be left unset'
                : 'must be set to ["ALL"]: Pod Security restricted requires it in every container, and the controller gives sidecars and init containers no defaults',
            ),
          );
        const added = list(caps.add).filter((x) => x !== "NET_BIND_SERVICE");
        if (added.length)
          out.push(
            violation(
              ID,
              `${c.path}.securityContext.capabilities.add`,
              `must add nothing but NET_BIND_SERVICE (found ${added.map((x) => JSON.stringify(x)).join(", ")})`,
            ),
          );
      }
    return out;
  },
  cel: () => {
    const dropBad = (c: string, role: "main" | "aux") => `!('ALL' in ${scField(c, "capabilities.drop", role, [])})`;
    const addBad = (c: string, role: "main" | "aux") =>
      `!${scField(c, "capabilities.add", role, [])}.all(x, x == 'NET_BIND_SERVICE')`;
    const bad = (c: string, role: "main" | "aux") => `(${dropBad(c, role)} || ${addBad(c, role)})`;
    return specAndTemplates({
      ruleId: ID,
      templates: "pod",
      templateBad: (t) => `(${someContainer(t, bad)})`,
      templateMessage: (t) =>
        `${firstContainer(t, bad)} + ': set securityContext.capabilities.drop to [ALL] and add nothing but NET_BIND_SERVICE; Pod Security restricted requires it in every container, and sidecars and init containers get no defaults'`,
    });
  },
};
