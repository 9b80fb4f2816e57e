// Rule host-namespaces: no workflow pod shares the node's network, process or IPC namespace.
import { SPEC, specAndTemplates } from "../cel.ts";
import type { Rule, Violation } from "../rule.ts";
import { violation } from "../rule.ts";

const ID = "host-namespaces";
const FIELDS = ["hostNetwork", "hostPID", "hostIPC"] as const;

/**
 * Pod Security baseline (check_hostNamespaces). Argo copies the workflow's `hostNetwork` to every pod
 * (podBuilder.build); `hostPID` and `hostIPC` are not Argo fields (the schema check refuses them, and the
 * controller would drop them), but they are refused here too, so the admission side refuses them in an object
 * that carries them.
 */
export const hostNamespaces: Rule = {
  id: ID,
  title: "No host network, PID or IPC namespace (Pod Security restricted)",
  element: "the workflow spec",
  fields: [...FIELDS],
  allowed: "false or unset",
  check(w) {
    const out: Violation[] = [];
    for (const f of FIELDS)
      if (w.spec[f] === true)
        out.push(
          violation(ID, `${w.at}.${f}`, "must not be true (Pod Security restricted refuses the pod); remove it"),
        );
    return out;
  },
  cel: () => {
    const bad = (f: string) => `${SPEC}.?${f}.orValue(false) == true`;
    return specAndTemplates({
      ruleId: ID,
      specBad: FIELDS.map(bad).join(" || "),
      specMessage: `'spec.' + (${bad("hostNetwork")} ? 'hostNetwork' : ${bad("hostPID")} ? 'hostPID' : 'hostIPC') + ' is true: remove it; Pod Security restricted refuses pods in the node\\'s namespaces'`,
    });
  },
};
