// Rule no-resource-templates: resource templates are not offered, so they are refused up front.
import type { Rule } from "../rule.ts";
import { notOffered } from "./not-offered.ts";

/**
 * A resource template's main container is argoexec acting with the executor account's token (newExecContainer in
 * workflowpod.go), and that account may only write WorkflowTaskResults: every create, patch or delete would be
 * forbidden at run time.
 */
export const noResourceTemplates: Rule = notOffered({
  id: "no-resource-templates",
  title: "resource templates are not offered",
  fields: ["resource"],
  repository:
    "must not be used: it acts with the executor's token, which may only write task results, so the step would fail; ask the platform team for the access your workflow needs",
  admission: () =>
    "'resource templates are not offered here: they act with the executor\\'s token, which may only write task results, so the step would fail'",
});
