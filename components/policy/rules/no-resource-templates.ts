// Rule no-resource-templates: resource templates are not offered, so they are refused up front.
import { present, specAndTemplates } from "../cel.ts";
import type { Rule } from "../rule.ts";
import { violation } from "../rule.ts";

const ID = "no-resource-templates";

/**
 * A resource template's main container is argoexec acting with the executor account's token (newExecContainer in
 * workflowpod.go), and that account may only write WorkflowTaskResults: every create, patch or delete would be
 * forbidden at run time.
 */
export const noResourceTemplates: Rule = {
  id: ID,
  title: "resource templates are not offered",
  element: "every template and templateDefaults",
  fields: ["resource"],
  allowed: "unset",
  check: (w) =>
    w.templates
      .filter((t) => t.template.resource !== undefined)
      .map((t) =>
        violation(
          ID,
          `${t.path}.resource`,
          "must not be used: it acts with the executor's token, which may only write task results, so the step would fail; ask the platform team for the access your workflow needs",
        ),
      ),
  cel: () =>
    specAndTemplates({
      ruleId: ID,
      templates: "all",
      templateBad: (t) => present(t, "resource"),
      templateMessage: () =>
        "'resource templates are not offered here: they act with the executor\\'s token, which may only write task results, so the step would fail'",
    }),
};
