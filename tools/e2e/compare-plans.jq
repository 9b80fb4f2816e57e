# Step 6 of tools/e2e/run.sh: what `pulumi preview --json` and `npm run plan -- --json` say about the same change,
# side by side. Inputs: --slurpfile preview (pulumi's PreviewDigest: .steps[] with .op and .urn, pkg/display/json.go
# in pulumi/pulumi), --slurpfile plan (tools/plan/format.ts planJson: .steps[] with .action, .urn and .custom),
# --arg configmap (the tail of the controller ConfigMap's URN, "ConfigMap::<namespace>/<name>").
# Output: {agree, problems, preview, plan}. They agree when both change the same cloud objects (not the stack or the
# program's components, which have none), only by updating them in place, the controller's ConfigMap among them.
def type_of: split("::")[2] | split("$") | last;
def program_component: . == "pulumi:pulumi:Stack" or startswith("argo-platform:");

([$preview[0].steps // [] | .[] | select(.op != "same" and (.urn | type_of | program_component | not)) | {op, urn}]
  | sort_by(.urn)) as $pv
| ([$plan[0].steps // [] | .[] | select(.custom) | {op: .action, urn}] | sort_by(.urn)) as $pl
| [
    ($pv[] | select(.op != "update") | "pulumi preview would \(.op) \(.urn)"),
    ($pl[] | select(.op != "update") | "npm run plan says \(.op) \(.urn)"),
    (if any($pv[]; .urn | endswith($configmap)) then empty else "pulumi preview does not update \($configmap)" end),
    (if any($pl[]; .urn | endswith($configmap)) then empty else "npm run plan does not update \($configmap)" end),
    (($pv | map(.urn)) - ($pl | map(.urn)) | .[] | "only pulumi preview changes \(.)"),
    (($pl | map(.urn)) - ($pv | map(.urn)) | .[] | "only npm run plan changes \(.)")
  ] as $problems
| {agree: ($problems | length == 0), problems: $problems, preview: $pv, plan: $pl}
