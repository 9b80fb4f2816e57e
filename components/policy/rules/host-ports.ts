// Rule host-ports: no workflow container binds a port on the node.
import { firstContainer, someContainer, specAndTemplates } from "../cel.ts";
import { list, obj, writtenContainers } from "../pods.ts";
import type { Rule, Violation } from "../rule.ts";
import { violation } from "../rule.ts";

const ID = "host-ports";

/** Pod Security baseline (check_hostPorts): `hostPort` unset or 0 in every container, init containers included. */
export const hostPorts: Rule = {
  id: ID,
  title: "No host ports (Pod Security restricted)",
  element: "every container of every pod-building template and templateDefaults",
  fields: ["ports[].hostPort"],
  allowed: "unset or 0",
  check(w) {
    const out: Violation[] = [];
    for (const pod of w.pods)
      for (const c of writtenContainers(pod))
        list(c.written.ports).forEach((p, k) => {
          const port = obj(p).hostPort;
          if (port !== undefined && port !== 0)
            out.push(
              violation(
                ID,
                `${c.path}.ports[${k}].hostPort`,
                "must be unset or 0 (Pod Security restricted); remove it",
              ),
            );
        });
    return out;
  },
  cel: () => {
    const bad = (c: string) => `${c}.?ports.orValue([]).exists(p, p.?hostPort.orValue(0) != 0)`;
    return specAndTemplates({
      ruleId: ID,
      templates: "pod",
      templateBad: (t) => `(${someContainer(t, bad)})`,
      templateMessage: (t) =>
        `${firstContainer(t, bad)} + ' sets ports[].hostPort: remove it; Pod Security restricted refuses host ports'`,
    });
  },
};
