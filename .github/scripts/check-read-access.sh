#!/usr/bin/env bash
# Before a CI preview: proves that the kubeconfig in $KUBECONFIG reaches the stack's cluster with a read-only identity.
#
#   check-read-access.sh <facts.json> <report.md>
#
# <facts.json> is `node tools/stack-facts.ts --stack <name>`: the stack's kube context, the resources it manages and
# the namespaces of its Secrets. Fails, saying why, when the context is missing, the cluster does not answer, the
# identity cannot get/list/watch a managed resource, or it can write one or read a Secret: a preview identity must
# see what the stack manages and nothing more. A preview that cannot reach or read the cluster would otherwise pass:
# the Kubernetes provider treats an unreachable cluster as unknown and previews green.
#
# Writes what it found as Markdown to <report.md>, ending with the note that the diff is client-side: a server-side
# dry-run is authorised like a write, so pulumi-kubernetes, refused one, falls back silently to a client-side diff.
set -euo pipefail

if [ "$#" -ne 2 ]; then
  echo "usage: $0 <facts.json> <report.md>" >&2
  exit 2
fi
facts=$1
report=$2
stack=$(jq -r .stack "$facts")
ctx=$(jq -r .kubeContext "$facts")
problems=()

say() { printf '%s\n' "$*" | tee -a "$report"; }
: >"$report"
say "#### Cluster access for \`$stack\` (context \`$ctx\`)"
say ""

fail() {
  say ""
  say ":x: **No preview:** $*"
  exit 1
}

kubectl config get-contexts "$ctx" >/dev/null 2>&1 ||
  fail "the kubeconfig has no context \`$ctx\` (the stack's \`argo-platform:kubeContext\`); put the read-only identity's kubeconfig, with that context name, in the environment secret KUBECONFIG."

if ! version=$(kubectl --context "$ctx" --request-timeout=20s get --raw /version 2>&1); then
  fail "the cluster does not answer through context \`$ctx\` ($(printf '%s' "$version" | tail -n 1)). Check the API server address and that this runner can reach it."
fi

# can <verb> <resource> [<namespace>]: yes or no, from a SelfSubjectAccessReview; anything else is an error.
can() {
  local out
  if [ -n "${3:-}" ]; then
    out=$(kubectl --context "$ctx" auth can-i "$1" "$2" --namespace "$3" 2>/dev/null || true)
  else
    out=$(kubectl --context "$ctx" auth can-i "$1" "$2" 2>/dev/null || true)
  fi
  case "$out" in
  yes) return 0 ;;
  no | no\ -*) return 1 ;;
  *) fail "\`kubectl auth can-i $1 $2${3:+ -n $3}\` gave no answer (\"$out\")." ;;
  esac
}

while IFS=$'\t' read -r resource namespaces; do
  read -ra scopes <<<"$namespaces"
  if [ "${#scopes[@]}" -eq 0 ]; then scopes=(""); fi # cluster-scoped
  for ns in "${scopes[@]}"; do
    where=${ns:+ in $ns}
    for verb in get list watch; do
      can "$verb" "$resource" "$ns" || problems+=("cannot $verb $resource$where")
    done
    for verb in create patch delete; do
      if can "$verb" "$resource" "$ns"; then problems+=("can $verb $resource$where (a preview identity must not write)"); fi
    done
  done
done < <(jq -r '.read[] | [.resource, (.namespaces | join(" "))] | @tsv' "$facts")

while read -r ns; do
  [ -n "$ns" ] || continue
  for verb in get list; do
    if can "$verb" secrets "$ns"; then problems+=("can $verb secrets in $ns (a preview must not hold the stack's secrets)"); fi
  done
done < <(jq -r '.secretNamespaces[]' "$facts")

if [ "${#problems[@]}" -gt 0 ]; then
  say "The preview identity is not the read-only one it must be:"
  for p in "${problems[@]}"; do say "- $p"; done
  fail "give the identity in \`preview-$stack\` get/list/watch on what the stack manages and nothing else (README, \"Pull requests and deploys\")."
fi

say "The cluster answers ($(printf '%s' "$version" | jq -r '.gitVersion // "version unknown"' 2>/dev/null || echo "version unknown")); the identity may get, list and watch all $(jq '.read | length' "$facts") resource types the stack manages, and may not write them or read its Secrets."
say ""
say ":information_source: **The diff is client-side:** this identity cannot write, and a server-side dry-run is authorised like a write, so pulumi-kubernetes falls back to comparing the program's inputs with the state. Admission policies, defaulting and conflicts show only at \`pulumi up\`."
