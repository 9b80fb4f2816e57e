// Rule executor-service-account: the init and wait containers use the executor account's token and no other.
import { NAMES } from "../../shared/kube.ts";
import { lit, opt, onSpecAndEveryTemplate } from "../cel.ts";
import type { Rule, Violation } from "../rule.ts";
import { violation, specAndEveryTemplate } from "../rule.ts";

const ID = "executor-service-account";
const ACCOUNT = NAMES.executorServiceAccount;
const ALLOWED = ["", ACCOUNT];

/**
 * The controller mounts `<executor account>.service-account-token` into argo's own containers (setupServiceAccount
 * in workflowpod.go). Naming another account would hand its token to a pod the template controls the rest of.
 */
export const executorServiceAccount: Rule = {
  id: ID,
  title: "The executor runs as data-plane-service-account",
  element: "the workflow spec, every template and templateDefaults",
  fields: ["executor.serviceAccountName"],
  allowed: `${ACCOUNT}, or unset/empty (then the controller's default, ${ACCOUNT})`,
  check(w) {
    const out: Violation[] = [];
    const visit = (o: Record<string, any>, at: string) => {
      const name = o.executor?.serviceAccountName;
      if (name !== undefined && !ALLOWED.includes(name))
        out.push(
          violation(
            ID,
            `${at}.executor.serviceAccountName`,
            `must be ${ACCOUNT} or unset (found ${JSON.stringify(name)}): argo's own containers use only the executor account's token`,
          ),
        );
    };
    specAndEveryTemplate(w, visit);
    return out;
  },
  cel: () => {
    const bad = (x: string) => `!(${opt(x, "executor.serviceAccountName")}.orValue('') in ${lit(ALLOWED)})`;
    const message = (x: string, where: string) =>
      `'${where}executor.serviceAccountName is "' + string(${x}.executor.serviceAccountName) + '": set it to ${ACCOUNT} or remove it'`;
    return onSpecAndEveryTemplate(ID, bad, message);
  },
};
