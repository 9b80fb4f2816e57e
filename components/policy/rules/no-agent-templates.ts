// Rule no-agent-templates: http and plugin templates are not offered, so they are refused up front.
import { present, specAndTemplates } from "../cel.ts";
import type { Rule, Violation } from "../rule.ts";
import { violation } from "../rule.ts";

const ID = "no-agent-templates";
const KINDS = ["http", "plugin"] as const;

/**
 * http and plugin templates run in the workflow's agent pod, as the workflow's service account
 * (workflow/controller/agent.go), which then needs to list, watch and patch WorkflowTaskSets. The executor account
 * may only write task results, so such a step would hang until its deadline. A container step with curl does what
 * an http template does (templates/http-check.yaml).
 */
export const noAgentTemplates: Rule = {
  id: ID,
  title: "http and plugin templates are not offered",
  element: "every template and templateDefaults",
  fields: [...KINDS],
  allowed: "unset",
  check(w) {
    const out: Violation[] = [];
    for (const t of w.templates)
      for (const kind of KINDS)
        if (t.template[kind] !== undefined)
          out.push(
            violation(
              ID,
              `${t.path}.${kind}`,
              "must not be used: it runs in Argo's agent pod, whose account here has no rights on task sets, so the step would never finish; use a container template (see templates/http-check.yaml)",
            ),
          );
    return out;
  },
  cel: () =>
    specAndTemplates({
      ruleId: ID,
      templates: "all",
      templateBad: (t) => `(${present(t, "http")} || ${present(t, "plugin")})`,
      templateMessage: (t) =>
        `(${present(t, "http")} ? 'http' : 'plugin') + ' templates are not offered here: they run in Argo\\'s agent pod, whose account has no rights on task sets, so the step would never finish; use a container template (curl for http)'`,
    }),
};
