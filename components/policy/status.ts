// The Workflow status rule: only the workflow controller writes the stored template that decides what a workflow runs.
import type { CelVariable } from "./rule.ts";

/**
 * Why this exists. The Workflow CRD has no status subresource, so whoever may create or update a Workflow can write
 * its `status`. The controller fetches the WorkflowTemplate only while `status.storedWorkflowTemplateSpec` is empty,
 * and with `templateReferencing: Strict` never checks a stored one again (setStoredWfSpec in
 * workflow/controller/operator.go); `status.storedTemplates` is where it looks templates up while running. A
 * requester who fills either in runs whatever they wrote, around Strict mode and around every template rule.
 *
 * What was decided, for every requester except the controller (which writes both):
 * - CREATE: neither may be present. This refuses two of Argo's own actions: Retry of an *archived* workflow (which
 *   re-creates the Workflow with its whole archived status, server/workflowarchive RetryArchivedWorkflow) and
 *   Resubmit with "memoized" (which copies storedTemplates, FormulateResubmitWorkflow in workflow/util/util.go).
 *   Resubmit without "memoized" creates a clean Workflow from the same template and stays available.
 * - UPDATE: storedTemplates must equal the old object's, and storedWorkflowTemplateSpec too except its `shutdown`
 *   and `arguments`: Retry clears `shutdown` and may replace the arguments in the stored spec
 *   (createNewRetryWorkflow, overrideParameters/overrideArtifacts in workflow/util/util.go), which a submission may
 *   set anyway. Stop and Terminate patch `spec.shutdown`; Suspend and Resume update `spec.suspend` and
 *   `status.nodes`: none touches the two fields, so all stay admitted.
 */
export const STATUS_VARIABLES: CelVariable[] = [
  { name: "hasStored", expression: "object.?status.?storedWorkflowTemplateSpec.hasValue()" },
  { name: "stored", expression: "object.?status.?storedWorkflowTemplateSpec.orValue({})" },
  { name: "storedTemplates", expression: "object.?status.?storedTemplates.orValue({})" },
  // Read only on UPDATE: oldObject is null on CREATE.
  { name: "hadStored", expression: "oldObject.?status.?storedWorkflowTemplateSpec.hasValue()" },
  { name: "oldStored", expression: "oldObject.?status.?storedWorkflowTemplateSpec.orValue({})" },
  { name: "oldStoredTemplates", expression: "oldObject.?status.?storedTemplates.orValue({})" },
];

/** Keys of the stored spec that Argo's Retry rewrites with the user's token. */
export const RETRY_MAY_CHANGE = ["shutdown", "arguments"];

const mayChange = `[${RETRY_MAY_CHANGE.map((k) => `'${k}'`).join(", ")}]`;

export const STATUS_VALIDATIONS = [
  {
    expression: "request.operation != 'CREATE' || (!variables.hasStored && size(variables.storedTemplates) == 0)",
    message:
      "A Workflow may not be created with status.storedWorkflowTemplateSpec or status.storedTemplates: only the workflow controller writes them.",
    messageExpression:
      "'This Workflow was sent with a stored template in its status (' + (variables.hasStored ? 'status.storedWorkflowTemplateSpec' : 'status.storedTemplates') + '), which only the workflow controller may write: it decides what the workflow runs. Argo\\'s Retry of an archived workflow and Resubmit with \"memoized\" send one; use Resubmit without \"memoized\" instead (platform rule workflow-status)'",
  },
  {
    expression: "request.operation != 'UPDATE' || variables.storedTemplates == variables.oldStoredTemplates",
    message: "status.storedTemplates may be changed only by the workflow controller.",
    messageExpression:
      "'status.storedTemplates may be changed only by the workflow controller: it decides what the workflow runs (platform rule workflow-status)'",
  },
  {
    expression:
      "request.operation != 'UPDATE' || (variables.hasStored == variables.hadStored && " +
      `variables.stored.all(k, k in ${mayChange} || (k in variables.oldStored && variables.stored[k] == variables.oldStored[k])) && ` +
      `variables.oldStored.all(k, k in ${mayChange} || k in variables.stored))`,
    message:
      "status.storedWorkflowTemplateSpec may be changed only by the workflow controller (except shutdown and arguments).",
    messageExpression:
      "'status.storedWorkflowTemplateSpec may be changed only by the workflow controller, apart from its shutdown and arguments (which Retry resets): it decides what the workflow runs (platform rule workflow-status)'",
  },
];
