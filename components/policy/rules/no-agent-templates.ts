// Rule no-agent-templates: http and plugin templates are not offered, so they are refused up front.
import type { Rule } from "../rule.ts";
import { notOffered } from "./not-offered.ts";

/**
 * http and plugin templates run in the workflow's agent pod, as the workflow's service account
 * (workflow/controller/agent.go), which then needs to list, watch and patch WorkflowTaskSets. The executor account
 * may only write task results, so such a step would hang until its deadline. A container step with curl does what
 * an http template does (templates/http-check.yaml).
 */
export const noAgentTemplates: Rule = notOffered({
  id: "no-agent-templates",
  title: "http and plugin templates are not offered",
  fields: ["http", "plugin"],
  repository:
    "must not be used: it runs in Argo's agent pod, whose account here has no rights on task sets, so the step would never finish; use a container template (see templates/http-check.yaml)",
  admission: (field) =>
    `${field} + ' templates are not offered here: they run in Argo\\'s agent pod, whose account has no rights on task sets, so the step would never finish; use a container template (curl for http)'`,
});
