// Rule no-daemons: daemon steps are refused, because nothing in the data plane could reach them.
import { specAndTemplates } from "../cel.ts";
import type { Rule } from "../rule.ts";
import { violation } from "../rule.ts";

const ID = "no-daemons";

/**
 * A daemon template exists to be called by later steps at its pod IP; the data plane denies all ingress by default
 * (components/network-policies.ts), so those calls would time out.
 */
export const noDaemons: Rule = {
  id: ID,
  title: "daemon templates are refused",
  element: "every template and templateDefaults",
  fields: ["daemon"],
  allowed: "false or unset",
  check: (w) =>
    w.templates
      .filter((t) => t.template.daemon === true)
      .map((t) =>
        violation(
          ID,
          `${t.path}.daemon`,
          "must not be true: the data plane denies all ingress, so no later step could reach the daemon; run the service as a sidecar of the step that uses it",
        ),
      ),
  cel: () =>
    specAndTemplates({
      ruleId: ID,
      templates: "all",
      templateBad: (t) => `${t}.?daemon.orValue(false) == true`,
      templateMessage: () =>
        "'daemon: true is refused: the data plane denies all ingress, so no later step could reach it; run the service as a sidecar of the step that uses it'",
    }),
};
