// Rule service-account: every pod runs as the data plane's executor account, whatever the template says.
import { NAMES } from "../../shared/kube.ts";
import { lit, onSpecAndEveryTemplate } from "../cel.ts";
import type { Rule, Violation } from "../rule.ts";
import { violation, specAndEveryTemplate } from "../rule.ts";

const ID = "service-account";
const ACCOUNT = NAMES.executorServiceAccount;
/** Argo treats an empty name as unset (setupServiceAccount in workflowpod.go), and then workflowDefaults' applies. */
const ALLOWED = ["", ACCOUNT];

/**
 * A template's own `serviceAccountName` beats the controller's workflowDefaults (workflow/util/merge.go), and the
 * pod's account decides what the main container may do if a token ever reaches it: only the executor account, whose
 * Role allows writing task results and nothing else, is offered.
 */
export const serviceAccount: Rule = {
  id: ID,
  title: "Workflows run as data-plane-service-account",
  element: "the workflow spec, every template and templateDefaults",
  fields: ["serviceAccountName"],
  allowed: `${ACCOUNT}, or unset/empty (then the controller's default, ${ACCOUNT})`,
  check(w) {
    const out: Violation[] = [];
    const visit = (o: Record<string, any>, at: string) => {
      if (o.serviceAccountName !== undefined && !ALLOWED.includes(o.serviceAccountName))
        out.push(
          violation(
            ID,
            `${at}.serviceAccountName`,
            `must be ${ACCOUNT} or unset (found ${JSON.stringify(o.serviceAccountName)}): workflow pods run only as the executor account`,
          ),
        );
    };
    specAndEveryTemplate(w, visit);
    return out;
  },
  cel: () => {
    const bad = (x: string) => `!(${x}.?serviceAccountName.orValue('') in ${lit(ALLOWED)})`;
    const message = (x: string, where: string) =>
      `'${where}serviceAccountName is "' + string(${x}.serviceAccountName) + '": set it to ${ACCOUNT} or remove it; workflows here run only as ${ACCOUNT}'`;
    return onSpecAndEveryTemplate(ID, bad, message);
  },
};
