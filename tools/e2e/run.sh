#!/usr/bin/env bash
# The dev stack end to end on a kind cluster, used as a person would use it. CI runs this file
# (.github/workflows/e2e.yaml); a developer runs the same file against a local kind cluster (README, "End-to-end
# test"). Steps:
#   1. create the kind cluster argo-platform (context kind-argo-platform, which Pulumi.dev.yaml binds the dev stack
#      to), on a Kubernetes node image pinned by digest, with kind's own CNI (kindnet), which enforces NetworkPolicies
#   2. pulumi up --stack dev with a local file backend, on a temporary copy of the repository; wait for the
#      controller, argo-server, the archive database and the artifact store; prove the NetworkPolicies are enforced
#   3. through argo-server's HTTPS API on a port-forward, with the author's token: list the templates, submit
#      platform-smoke-test and artifact-passing, check the artifact arrived, read logs after the pods are gone
#   4. the refusals: Strict mode, the template rules and the status rule at the API server, the viewer's 403
#   5. the archive: a deleted Workflow is still listed (and its logs readable) through the archive API
#   6. the lifecycle: a config change is an in-place update (pulumi preview and npm run plan agree), then
#      pulumi destroy and pulumi up again on the same cluster, which keeps the archive
#   7. on failure: every pod's logs, the cluster's state and the pulumi output, in $E2E_ARTIFACTS_DIR
#
# Usage: tools/e2e/run.sh [--dry-run] [--keep-cluster] [--replace-cluster]
#        tools/e2e/run.sh --install-tools <dir>   (pinned kind and kubectl, checksums verified; Linux x86-64)
# Needs: docker, kind (>= v0.24), kubectl, pulumi, node (package.json's engines) with `npm ci` done, jq, curl, git, tar.
# Environment: E2E_ARTIFACTS_DIR (default: a new temporary directory), E2E_PORT (local port of the port-forward,
# default 2746), E2E_DOCKER_HUB_MIRROR (an https pull-through cache for docker.io images, e.g. https://mirror.gcr.io;
# the node's containerd falls back to Docker Hub), PULUMI_CONFIG_PASSPHRASE (default: local-dev-only, the dev stack's).

# jq filters, kubectl jsonpath templates and the inner shell of the project copy name their own variables in single
# quotes: they are not meant to expand here.
# shellcheck disable=SC2016
set -euo pipefail

# --- pinned versions -------------------------------------------------------------------------------------------
# kind v0.31.0: its kindnet enforces NetworkPolicies (kube-network-policies, in kindnetd since v0.24.0) and its
# default node image is the one below (pkg/apis/config/defaults/image.go at v0.31.0).
readonly KIND_VERSION=v0.31.0
readonly KIND_SHA256=eb244cbafcc157dff60cf68693c14c9a75c4e6e6fedaf9cd71c58117cb93e3fa
readonly KUBECTL_VERSION=v1.35.0
readonly KUBECTL_SHA256=a2e984a18a0c063279d692533031c1eff93a262afcc0afdc517375432d060989
readonly NODE_IMAGE=kindest/node:v1.35.0@sha256:452d707d4862f52530247495d180205e029056831160e22870e37e3f6c1ac31f
readonly PROBE_IMAGE=docker.io/curlimages/curl:8.11.1

# --- what the dev stack deploys (Pulumi.yaml defaults, Pulumi.dev.yaml, components/shared/kube.ts) ---------------
readonly CLUSTER=argo-platform
readonly CONTEXT=kind-argo-platform
readonly STACK=dev
readonly CP=control-plane
readonly DP=data-plane
readonly AUTHOR_ACCOUNT=ui-author-service-account
readonly VIEWER_ACCOUNT=ui-viewer-service-account
readonly SERVER_SERVICE=argo-server
readonly CONTROLLER_CONFIGMAP=workflow-controller-configmap
readonly WORKLOADS=(deployment/workflow-controller deployment/argo-server statefulset/archive-postgres statefulset/artifact-store)
readonly RETAINED_CLAIMS=(data-archive-postgres-0 data-artifact-store-0)
readonly EXECUTOR_TOKEN_SECRET=data-plane-service-account.service-account-token
readonly RULES_POLICY=argo-platform-workflow-rules
readonly STATUS_POLICY=argo-platform-workflow-status
# What the controller says when a Workflow carries its own templates in Strict mode (workflow/controller/operator.go,
# setExecWorkflow, Argo v4.1.2).
readonly STRICT_MESSAGE="workflows must use workflowTemplateRef to be executed when the controller is in reference mode"
readonly SMOKE_TEMPLATE=platform-smoke-test
readonly ARTIFACT_TEMPLATE=artifact-passing

here=${BASH_SOURCE[0]%/*}
[ "$here" != "${BASH_SOURCE[0]}" ] || here=.
ROOT=$(cd -- "$here/../.." && pwd -P)
readonly ROOT
readonly FIXTURES=$ROOT/tools/e2e/fixtures
readonly PORT=${E2E_PORT:-2746}

DRY_RUN=false
KEEP_CLUSTER=false
REPLACE_CLUSTER=false
INSTALL_DIR=
WORK=
ARTIFACTS=
COPY=
CREATED_CLUSTER=false
PF_PID=
API_STATUS=
API_BODY=

usage() { sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed -e '/^$/d' -e 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case $1 in
    --dry-run) DRY_RUN=true ;;
    --keep-cluster) KEEP_CLUSTER=true ;;
    --replace-cluster) REPLACE_CLUSTER=true ;;
    --install-tools)
      INSTALL_DIR=${2:-}
      [ -n "$INSTALL_DIR" ] || { echo "--install-tools needs a directory" >&2; exit 2; }
      shift
      ;;
    -h | --help) usage; exit 0 ;;
    *) echo "Unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

# --- output and execution helpers ------------------------------------------------------------------------------
# Every command that touches the machine, the cluster or the network goes through run, capture, check, wait_until
# or api. Under --dry-run they print the command and do nothing, so the dry run lists exactly what a real run does.

step() { printf '\n== %s\n' "$*"; }
note() { printf '   %s\n' "$*"; }
fail() {
  printf '\nFAILED: %s\n' "$*" >&2
  exit 1
}

# A command line as a person would type it: words quoted only when they need it.
quote() {
  local out="" word
  for word in "$@"; do
    if [[ $word =~ ^[A-Za-z0-9_./:=@,+%-]+$ ]]; then out+="$word "; else out+="'${word//\'/\'\\\'\'}' "; fi
  done
  printf '%s' "${out% }"
}
show() { printf '   $ %s\n' "$(quote "$@")"; }

run() {
  show "$@"
  $DRY_RUN || "$@"
}

# run, with the command's output also appended to a file in the artifacts directory.
run_logged() {
  local log=$1
  shift
  show "$@"
  $DRY_RUN && return 0
  "$@" 2>&1 | tee -a "$ARTIFACTS/$log"
}

# capture VAR command...: VAR=$(command...); under --dry-run VAR becomes <VAR>.
capture() {
  local var=$1 out
  shift
  show "$@"
  if $DRY_RUN; then
    printf -v "$var" '<%s>' "$var"
    return 0
  fi
  out=$("$@") || return
  printf -v "$var" '%s' "$out"
}

# try command...: runs it quietly and returns its status (for the conditions wait_until polls).
try() {
  show "$@"
  $DRY_RUN && return 0
  "$@" >/dev/null 2>&1
}

# run_to FILE command...: the command's standard output into FILE.
run_to() {
  local file=$1
  shift
  printf '   $ %s > %s\n' "$(quote "$@")" "$file"
  $DRY_RUN || "$@" >"$file"
}

# check WHAT command...: the command must succeed.
check() {
  local what=$1
  shift
  if $DRY_RUN; then
    note "check: $what"
    show "$@"
    return 0
  fi
  "$@" || fail "$what"
  note "ok: $what"
}

# wait_until WHAT SECONDS FUNCTION [args...]: retries the condition (a function of this script, built from the
# helpers above, so that a dry run shows what it polls) every 3 seconds until it holds.
wait_until() {
  local what=$1 limit=$2 start=$SECONDS
  shift 2
  declare -F "$1" >/dev/null || fail "wait_until needs a function of this script, not $1"
  if $DRY_RUN; then
    note "wait (up to ${limit}s) until $what:"
    "$@" || true
    return 0
  fi
  until "$@" >/dev/null 2>&1; do
    ((SECONDS - start < limit)) || fail "timed out after ${limit}s waiting until $what"
    sleep 3
  done
  note "ok: $what ($((SECONDS - start))s)"
}

# json_get VAR FILTER JSON: VAR=$(jq -r FILTER <<<JSON).
json_get() {
  local var=$1 filter=$2 input=$3 out
  show jq -r "$filter"
  if $DRY_RUN; then
    printf -v "$var" '<%s>' "$var"
    return 0
  fi
  out=$(jq -r "$filter" <<<"$input") || fail "could not read $filter from: ${input:0:2000}"
  printf -v "$var" '%s' "$out"
}

# json_check WHAT FILTER JSON [jq options...]: jq -e FILTER must hold; on failure the JSON is printed.
json_check() {
  local what=$1 filter=$2 input=$3
  shift 3
  if $DRY_RUN; then
    note "check: $what"
    show jq -e "$@" "$filter"
    return 0
  fi
  jq -e "$@" "$filter" <<<"$input" >/dev/null || fail "$what (jq -e '$filter' does not hold on: ${input:0:3000})"
  note "ok: $what"
}

contains() { [[ $2 == *"$1"* ]]; }
lacks() { [[ $2 != *"$1"* ]]; }

# kubectl, always against the e2e cluster's context.
k() { run kubectl --context "$CONTEXT" "$@"; }

# --- argo-server's HTTP API ------------------------------------------------------------------------------------

# set_token VAR ACCOUNT: a token of the account, kept in a private header file for curl (never on a command line).
set_token() {
  local var=$1 account=$2 token
  capture token kubectl --context "$CONTEXT" -n "$CP" create token "$account" --duration=8h
  $DRY_RUN && return 0
  if [ "${GITHUB_ACTIONS:-}" = true ]; then echo "::add-mask::$token"; fi
  (umask 077 && printf 'Authorization: Bearer %s\n' "$token" >"$WORK/$var.header")
}

abbreviate() { if [ ${#1} -le 160 ]; then printf '%s' "$1"; else printf '%s…' "${1:0:120}"; fi; }

# api METHOD PATH TOKEN_VAR [JSON_BODY]: sets API_STATUS (HTTP code) and API_BODY.
api() {
  local method=$1 token=$3 body=${4-} url="https://localhost:$PORT$2" attempt
  local shown=(curl -sk -X "$method" -H "Authorization: Bearer \$$token")
  [ -z "$body" ] || shown+=(-H 'Content-Type: application/json' --data-binary "$(abbreviate "$body")")
  show "${shown[@]}" "$url"
  if $DRY_RUN; then
    API_STATUS=dry-run API_BODY='<response>'
    return 0
  fi
  local args=(-sk -X "$method" -H "@$WORK/$token.header" -o "$WORK/response" -w '%{http_code}' --max-time 60)
  [ -z "$body" ] || args+=(-H 'Content-Type: application/json' --data-binary "$body")
  : >"$WORK/response"
  for attempt in 1 2; do
    API_STATUS=$(curl "${args[@]}" "$url") || API_STATUS=000
    [ "$API_STATUS" = 000 ] || break
    # A port-forward dies with the pod it points at: start a new one once, then retry.
    [ "$attempt" = 1 ] && start_port_forward
  done
  API_BODY=$(cat "$WORK/response")
}

# expect_status "CODES" WHAT: the last API call answered one of the codes.
expect_status() {
  local codes=$1 what=$2
  if $DRY_RUN; then
    note "check: $what (HTTP $codes)"
    return 0
  fi
  [[ " $codes " == *" $API_STATUS "* ]] || fail "$what: expected HTTP $codes, got $API_STATUS: ${API_BODY:0:2000}"
  note "ok: $what (HTTP $API_STATUS)"
}

start_port_forward() {
  stop_port_forward
  show kubectl --context "$CONTEXT" -n "$CP" port-forward "svc/$SERVER_SERVICE" "$PORT:2746"
  if ! $DRY_RUN; then
    kubectl --context "$CONTEXT" -n "$CP" port-forward "svc/$SERVER_SERVICE" "$PORT:2746" \
      >>"$ARTIFACTS/port-forward.log" 2>&1 &
    PF_PID=$!
  fi
  wait_until "argo-server answers on https://localhost:$PORT" 60 port_forward_ready
}

# Not through api, which would start yet another port-forward while this one is coming up.
port_forward_ready() { try curl -sfk -o /dev/null -H "@$WORK/AUTHOR_TOKEN.header" "https://localhost:$PORT/api/v1/version"; }

stop_port_forward() {
  if [ -n "$PF_PID" ]; then
    kill "$PF_PID" 2>/dev/null || true
    wait "$PF_PID" 2>/dev/null || true
    PF_PID=
  fi
}

# --- Workflows through the API ---------------------------------------------------------------------------------

# submit VAR TEMPLATE: submits a Workflow from the WorkflowTemplate as the author, as the UI's Submit button does.
submit() {
  local var=$1 template=$2
  api POST "/api/v1/workflows/$DP/submit" AUTHOR_TOKEN \
    "{\"namespace\":\"$DP\",\"resourceKind\":\"WorkflowTemplate\",\"resourceName\":\"$template\",\"submitOptions\":{\"labels\":\"e2e=true\"}}"
  expect_status 200 "the author submits $template from its template"
  json_get "$var" .metadata.name "$API_BODY"
  note "submitted ${!var}"
}

workflow_finished() {
  api GET "/api/v1/workflows/$DP/$1" AUTHOR_TOKEN
  [ "$API_STATUS" = 200 ] || return 1
  jq -e '.status.phase | IN("Succeeded", "Failed", "Error")' <<<"$API_BODY" >/dev/null
}

# wait_for_phase NAME PHASE SECONDS: waits until the Workflow has finished; it must be in PHASE. Leaves it in API_BODY.
wait_for_phase() {
  local name=$1 phase=$2 limit=$3
  wait_until "workflow $name has finished" "$limit" workflow_finished "$name"
  api GET "/api/v1/workflows/$DP/$name" AUTHOR_TOKEN
  expect_status 200 "argo-server returns workflow $name"
  if ! $DRY_RUN && ! jq -e --arg phase "$phase" '.status.phase == $phase' <<<"$API_BODY" >/dev/null; then
    # What each step says, before the whole object.
    jq '{phase: .status.phase, message: .status.message, nodes: [.status.nodes[]? | {displayName, type, phase, message}]}' \
      <<<"$API_BODY" >&2 || true
  fi
  json_check "workflow $name ended in $phase" '.status.phase == $phase' "$API_BODY" --arg phase "$phase"
}

# pod_node VAR [DISPLAY_NAME]: the id of the workflow's (in API_BODY) one Pod node, or its one of that display name.
pod_node() {
  local var=$1 select='.type == "Pod"'
  [ -z "${2-}" ] || select+=" and .displayName == \"$2\""
  json_get "$var" "[.status.nodes[] | select($select)] | if length == 1 then .[0].id else error(\"expected one Pod node (${2:-any}), found \\(length)\") end" "$API_BODY"
}

no_pods_left() {
  local left
  capture left kubectl --context "$CONTEXT" -n "$DP" get pods -l "workflows.argoproj.io/workflow=$1" -o name || return 1
  [ -z "$left" ]
}

workflow_gone() { ! try kubectl --context "$CONTEXT" -n "$DP" get workflow "$1"; }
namespace_gone() { ! try kubectl --context "$CONTEXT" get namespace "$1"; }

archived() {
  api GET "/api/v1/archived-workflows?namespace=$DP" AUTHOR_TOKEN
  [ "$API_STATUS" = 200 ] || return 1
  jq -e --arg uid "$1" 'any(.items[]?; .metadata.uid == $uid)' <<<"$API_BODY" >/dev/null
}

pod_finished() {
  local phase
  capture phase kubectl --context "$CONTEXT" -n "$1" get pod "$2" -o 'jsonpath={.status.phase}' || return 1
  [ "$phase" = Succeeded ] || [ "$phase" = Failed ]
}

executor_token_issued() {
  local token
  capture token kubectl --context "$CONTEXT" -n "$DP" get secret "$EXECUTOR_TOKEN_SECRET" -o 'jsonpath={.data.token}' || return 1
  [ -n "$token" ]
}

# --- the steps ---------------------------------------------------------------------------------------------------

install_tools() {
  local dir=$1
  [ "$(uname -sm)" = "Linux x86_64" ] || $DRY_RUN || fail "--install-tools knows the Linux x86-64 binaries only; install kind $KIND_VERSION and kubectl $KUBECTL_VERSION yourself"
  run mkdir -p "$dir"
  download "https://github.com/kubernetes-sigs/kind/releases/download/$KIND_VERSION/kind-linux-amd64" "$KIND_SHA256" "$dir/kind"
  download "https://dl.k8s.io/release/$KUBECTL_VERSION/bin/linux/amd64/kubectl" "$KUBECTL_SHA256" "$dir/kubectl"
}

download() {
  local url=$1 sha256=$2 dest=$3
  run curl -fsSL --retry 3 -o "$dest.download" "$url"
  printf "   \$ echo '%s  %s' | sha256sum --check --strict\n" "$sha256" "$dest.download"
  if ! $DRY_RUN; then
    printf '%s  %s\n' "$sha256" "$dest.download" | sha256sum --check --strict --quiet ||
      fail "$url does not have the pinned SHA-256 $sha256"
  fi
  run chmod 0755 "$dest.download"
  run mv "$dest.download" "$dest"
}

prerequisites() {
  local tool missing=()
  for tool in docker kind kubectl pulumi node npm jq curl git tar; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  [ ${#missing[@]} -eq 0 ] || fail "missing: ${missing[*]} (README, \"End-to-end test\", lists the prerequisites)"
  # The floor is package.json's engines (">=MAJOR.MINOR"), the one place it is declared.
  node -e 'const v = (s) => s.replace(/^>=/, "").split(".").map(Number); const [a, b] = v(process.versions.node);
    const [x, y] = v(require(process.argv[1]).engines.node); process.exit(a > x || (a === x && b >= y) ? 0 : 1)' \
    "$ROOT/package.json" || fail "Node $(node --version) is too old: package.json's engines asks for $(node -p \
    'require(process.argv[1]).engines.node' "$ROOT/package.json")"
  [ -d "$ROOT/node_modules/@pulumi/pulumi" ] || fail "no node_modules in $ROOT: run npm ci first"
  docker info >/dev/null 2>&1 || fail "docker does not answer (is the daemon running, may this user use it?)"
  note "kind: $(kind version)"
  note "kubectl: $(kubectl version --client 2>/dev/null | head -n 1)"
  note "pulumi: $(pulumi version)"
  if [ "$(kind version | awk '{print $2}')" != "$KIND_VERSION" ]; then
    note "kind is not $KIND_VERSION, which this script pins; a kind before v0.24 does not enforce NetworkPolicies (step 2 checks)"
  fi
}

create_cluster() {
  step "1. Create the kind cluster $CLUSTER (context $CONTEXT): node image pinned by digest, kindnet enforcing NetworkPolicies"
  local clusters nodes node version
  capture clusters kind get clusters
  if [[ $'\n'$clusters$'\n' == *$'\n'"$CLUSTER"$'\n'* ]]; then
    $REPLACE_CLUSTER || fail "a kind cluster named $CLUSTER exists already; delete it (kind delete cluster --name $CLUSTER) or pass --replace-cluster"
    run kind delete cluster --name "$CLUSTER"
  fi
  run kind create cluster --name "$CLUSTER" --image "$NODE_IMAGE" --kubeconfig "$KUBECONFIG" --wait 180s
  CREATED_CLUSTER=true
  if [ -n "${E2E_DOCKER_HUB_MIRROR:-}" ]; then
    [[ $E2E_DOCKER_HUB_MIRROR == https://* ]] || fail "E2E_DOCKER_HUB_MIRROR must be an https:// URL"
    # kind's node images read /etc/containerd/certs.d (hosts.toml) since v0.27: pulls of docker.io images try the
    # mirror first and fall back to Docker Hub (server).
    capture nodes kind get nodes --name "$CLUSTER"
    for node in $nodes; do
      run docker exec "$node" mkdir -p /etc/containerd/certs.d/docker.io
      printf 'server = "https://registry-1.docker.io"\n\n[host."%s"]\n  capabilities = ["pull", "resolve"]\n' \
        "$E2E_DOCKER_HUB_MIRROR" | run docker exec -i "$node" cp /dev/stdin /etc/containerd/certs.d/docker.io/hosts.toml
    done
  fi
  k get nodes -o wide
  capture version kubectl --context "$CONTEXT" version -o json
  json_check "the cluster runs Kubernetes 1.30 or later (ValidatingAdmissionPolicy v1)" \
    '(.serverVersion.minor | sub("[^0-9].*$"; "") | tonumber) >= 30' "$version"
}

wait_ready() {
  local workload
  for workload in "${WORKLOADS[@]}"; do
    k -n "$CP" rollout status "$workload" --timeout=300s
  done
}

deploy() {
  step "2. Deploy the dev stack: pulumi up --stack $STACK (file backend, stack initialised in a temporary copy)"
  capture TREE_BEFORE git -C "$ROOT" status --porcelain --untracked-files=all
  run mkdir -p "$COPY" "$WORK/state"
  # The repository's files as they are now (tracked and untracked, not ignored), without node_modules, which is
  # linked: `pulumi stack init` writes encryptionsalt into Pulumi.dev.yaml, and only the copy may change.
  run bash -c 'set -eo pipefail && cd "$1" && git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d "" f; do case $f in node_modules | node_modules/*) ;; *) if [ -e "$f" ]; then printf "%s\0" "$f"; fi ;; esac; done |
    tar --null --no-recursion -T - -cf - | tar -xf - -C "$2"' copy-project "$ROOT" "$COPY"
  run ln -s "$ROOT/node_modules" "$COPY/node_modules"
  note "cd $COPY"
  $DRY_RUN || cd "$COPY"
  # A local file backend (what `pulumi login file://<dir>` selects), for this process only: the user's own
  # `pulumi login` stays as it is.
  export PULUMI_BACKEND_URL="file://$WORK/state"
  # Pulumi.dev.yaml commits the salt of this passphrase (the dev stack holds only throw-away generated passwords).
  export PULUMI_CONFIG_PASSPHRASE=${PULUMI_CONFIG_PASSPHRASE:-local-dev-only}
  export PULUMI_SKIP_UPDATE_CHECK=true
  note "export PULUMI_BACKEND_URL=$PULUMI_BACKEND_URL PULUMI_CONFIG_PASSPHRASE=<a literal, not a secret>"
  run pulumi stack init "$STACK" --non-interactive
  check "pulumi stack init wrote encryptionsalt into the copy's Pulumi.$STACK.yaml" grep -q '^encryptionsalt:' "$COPY/Pulumi.$STACK.yaml"
  run_logged pulumi-up-1.log pulumi up --stack "$STACK" --yes --non-interactive
  wait_ready
  wait_until "the token controller filled in the executor's token Secret $EXECUTOR_TOKEN_SECRET" 60 executor_token_issued

  # kindnet's policy engine fails open (a node without NFQUEUE lets everything through): prove that it enforces.
  local ns=e2e-network-probe probe
  note "a restricted pod in a namespace of its own curls the Kubernetes API and argo-server:"
  k create namespace "$ns"
  k -n "$ns" apply -f - <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: probe
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  securityContext:
    runAsNonRoot: true
    runAsUser: 65534
    seccompProfile: { type: RuntimeDefault }
  containers:
    - name: probe
      image: $PROBE_IMAGE
      securityContext:
        allowPrivilegeEscalation: false
        capabilities: { drop: [ALL] }
      command: [sh, -c]
      args:
        - |
          code=\$(curl -sk -o /dev/null -w '%{http_code}' --connect-timeout 5 https://kubernetes.default.svc/version) &&
            echo "kubernetes-api: http \$code" || echo "kubernetes-api: exit \$?"
          curl -sk -o /dev/null --connect-timeout 5 --max-time 10 https://$SERVER_SERVICE.$CP.svc:2746/
          echo "argo-server: exit \$?"
YAML
  wait_until "the network probe pod has finished" 180 pod_finished "$ns" probe
  capture probe kubectl --context "$CONTEXT" -n "$ns" logs probe
  note "${probe//$'\n'/; }"
  check "a pod outside the platform reaches the Kubernetes API (its network works)" \
    grep -Eq '^kubernetes-api: http [1-5][0-9][0-9]$' <<<"$probe"
  check "it cannot open a connection to argo-server: the CNI enforces default-deny-ingress" \
    grep -Eq '^argo-server: exit (7|28)$' <<<"$probe"
  k delete namespace "$ns" --wait=false
}

use_as_a_person() {
  step "3. As a person would: argo-server's HTTPS API on a port-forward, with the author's token"
  local commands expected name body node produce consume
  capture commands pulumi stack output loginTokenCommands --json --stack "$STACK"
  json_check "the stack outputs the documented token commands" \
    '.author == "kubectl -n \($cp) create token \($author) --duration=8h" and .viewer == "kubectl -n \($cp) create token \($viewer) --duration=8h"' \
    "$commands" --arg cp "$CP" --arg author "$AUTHOR_ACCOUNT" --arg viewer "$VIEWER_ACCOUNT"
  set_token AUTHOR_TOKEN "$AUTHOR_ACCOUNT"
  set_token VIEWER_TOKEN "$VIEWER_ACCOUNT"
  start_port_forward

  api GET "/api/v1/workflow-templates/$DP" AUTHOR_TOKEN
  expect_status 200 "the author lists the WorkflowTemplates"
  capture expected pulumi stack output workflowTemplates --json --stack "$STACK"
  json_check "argo-server lists exactly the templates the stack deployed" \
    '([.items[].metadata.name] | sort) == ($expected | sort)' "$API_BODY" --argjson expected "$expected"

  # The smoke test, from its template.
  submit SMOKE_NAME "$SMOKE_TEMPLATE"
  wait_for_phase "$SMOKE_NAME" Succeeded 300
  json_get SMOKE_UID .metadata.uid "$API_BODY"
  pod_node SMOKE_NODE
  json_check "its step's logs were kept as an artifact (main-logs)" \
    'any(.status.nodes[$node].outputs.artifacts[]?; .name == "main-logs")' "$API_BODY" --arg node "$SMOKE_NODE"
  api GET "/artifact-files/$DP/workflows/$SMOKE_NAME/$SMOKE_NODE/outputs/main-logs" AUTHOR_TOKEN
  expect_status 200 "argo-server serves the smoke step's log from the artifact store"
  check "the step ran without an API token" contains "no Kubernetes API token mounted" "$API_BODY"

  # An artifact and a parameter from one step to the next, and logs that outlive the pods.
  submit name "$ARTIFACT_TEMPLATE"
  wait_for_phase "$name" Succeeded 300
  body=$API_BODY
  pod_node produce produce
  pod_node consume consume
  json_check "the first step reported a count of 3 lines" \
    '.status.nodes[$produce].outputs.parameters[] | select(.name == "count") | .value == "3"' "$body" --arg produce "$produce"
  json_check "the second step received the report artifact and succeeded" \
    '.status.nodes[$consume] | .phase == "Succeeded" and any(.inputs.artifacts[]?; .name == "report")' \
    "$body" --arg consume "$consume"
  k -n "$DP" delete pods -l "workflows.argoproj.io/workflow=$name" --ignore-not-found --wait=true
  wait_until "no pod of $name is left" 120 no_pods_left "$name"
  # GET .../log streams live pods only (util/logs/workflow-logger.go lists them by label); the UI reads a finished
  # step's log from its main-logs artifact (/artifact-files/..., server/artifacts/artifact_server.go) instead.
  api GET "/api/v1/workflows/$DP/$name/log?logOptions.container=main" AUTHOR_TOKEN
  expect_status 200 "the pod-log endpoint answers"
  check "it has no line of the deleted pods" lacks "received the report" "$API_BODY"
  for node in "$produce" "$consume"; do
    api GET "/artifact-files/$DP/workflows/$name/$node/outputs/main-logs" AUTHOR_TOKEN
    expect_status 200 "argo-server serves the log of step $node from the artifact store, its pod gone"
    if [ "$node" = "$produce" ]; then
      check "the first step's log says what it wrote" contains "wrote 3 lines" "$API_BODY"
    else
      check "the second step's log says it received the artifact" \
        contains "received the report: 3 lines, as the first step said" "$API_BODY"
    fi
  done
}

refusals() {
  step "4. The refusals: Strict mode, the template rules and the status rule at the API server, the viewer's 403"
  local name file rule body
  # Strict is enforced by the controller after the Workflow is created: argo-server and the API server admit it.
  capture body jq -c '{workflow: .}' "$FIXTURES/inline-workflow.json"
  api POST "/api/v1/workflows/$DP" AUTHOR_TOKEN "$body"
  expect_status 200 "a Workflow without a template reference is created"
  json_get name .metadata.name "$API_BODY"
  wait_for_phase "$name" Error 120
  json_check "the controller stopped it with Strict mode's message" '.status.message == $message' "$API_BODY" \
    --arg message "$STRICT_MESSAGE"
  api DELETE "/api/v1/workflows/$DP/$name" AUTHOR_TOKEN
  expect_status 200 "the author deletes it"

  # The template rules, generated into the ValidatingAdmissionPolicy: one fixture per rule, named after it.
  for file in "$FIXTURES"/refused-templates/*.json; do
    rule=${file##*/}
    rule=${rule%.json}
    capture body jq -c '{template: .}' "$file"
    api POST "/api/v1/workflow-templates/$DP" AUTHOR_TOKEN "$body"
    expect_status "400 403 422" "the API server refuses a WorkflowTemplate breaking rule $rule"
    json_check "with $RULES_POLICY's message for rule $rule" \
      '.message | contains($policy) and contains("(platform rule \($rule))")' "$API_BODY" \
      --arg policy "$RULES_POLICY" --arg rule "$rule"
  done

  capture body jq -c '{workflow: .}' "$FIXTURES/stored-template-status.json"
  api POST "/api/v1/workflows/$DP" AUTHOR_TOKEN "$body"
  expect_status "400 403 422" "the API server refuses a Workflow created with status.storedWorkflowTemplateSpec"
  json_check "with $STATUS_POLICY's message" \
    '.message | contains($policy) and contains("status.storedWorkflowTemplateSpec") and contains("(platform rule workflow-status)")' \
    "$API_BODY" --arg policy "$STATUS_POLICY"

  api GET "/api/v1/workflow-templates/$DP" VIEWER_TOKEN
  expect_status 200 "the viewer's token works: it lists the templates"
  api POST "/api/v1/workflows/$DP/submit" VIEWER_TOKEN \
    "{\"namespace\":\"$DP\",\"resourceKind\":\"WorkflowTemplate\",\"resourceName\":\"$SMOKE_TEMPLATE\"}"
  expect_status 403 "the viewer cannot submit"
}

archive() {
  step "5. The archive: the smoke workflow, its Workflow object deleted, is still listed through the archive API"
  wait_until "the archive lists $SMOKE_NAME" 120 archived "$SMOKE_UID"
  api DELETE "/api/v1/workflows/$DP/$SMOKE_NAME" AUTHOR_TOKEN
  expect_status 200 "the author deletes the Workflow $SMOKE_NAME"
  wait_until "the Workflow object $SMOKE_NAME is gone from the cluster" 60 workflow_gone "$SMOKE_NAME"
  check_archived "after its Workflow object was deleted"
}

# The smoke workflow in the archive: listed, Succeeded, and its step's log readable from the artifact store.
check_archived() {
  local when=$1
  api GET "/api/v1/archived-workflows?namespace=$DP" AUTHOR_TOKEN
  expect_status 200 "the author lists archived workflows"
  json_check "the archive lists $SMOKE_NAME $when" \
    'any(.items[]?; .metadata.uid == $uid and .metadata.name == $name)' "$API_BODY" \
    --arg uid "$SMOKE_UID" --arg name "$SMOKE_NAME"
  api GET "/api/v1/archived-workflows/$SMOKE_UID?namespace=$DP" AUTHOR_TOKEN
  expect_status 200 "argo-server returns the archived workflow"
  json_check "it is archived as Succeeded" '.status.phase == "Succeeded"' "$API_BODY"
  api GET "/artifact-files/$DP/archived-workflows/$SMOKE_UID/$SMOKE_NODE/outputs/main-logs" AUTHOR_TOKEN
  expect_status 200 "argo-server serves the archived run's log from the artifact store"
  check "the archived log is the step's" contains "no Kubernetes API token mounted" "$API_BODY"
}

lifecycle() {
  step "6. The lifecycle: a config change updates in place (pulumi preview = npm run plan), then destroy and up again"
  local uid_before uid_after persistence verdict tree_after again
  run npm run --silent render -- --stack "$STACK" --out "$WORK/render-before"
  capture uid_before kubectl --context "$CONTEXT" -n "$CP" get configmap "$CONTROLLER_CONFIGMAP" -o 'jsonpath={.metadata.uid}'
  run pulumi config set argo-platform:archiveTTL 14d --stack "$STACK"
  run_to "$ARTIFACTS/preview.json" pulumi preview --stack "$STACK" --json --non-interactive
  run_to "$ARTIFACTS/plan.json" npm run --silent plan -- --stack "$STACK" --base-render "$WORK/render-before" --json
  capture verdict jq -n --slurpfile preview "$ARTIFACTS/preview.json" --slurpfile plan "$ARTIFACTS/plan.json" \
    --arg configmap "ConfigMap::$CP/$CONTROLLER_CONFIGMAP" -f "$ROOT/tools/e2e/compare-plans.jq"
  $DRY_RUN || printf '%s\n' "$verdict" >"$ARTIFACTS/preview-vs-plan.json"
  json_check "pulumi preview and npm run plan agree: the ConfigMap and what rolls with it are updated, nothing replaced" \
    '.agree' "$verdict"

  run_logged pulumi-up-2.log pulumi up --stack "$STACK" --yes --non-interactive
  capture uid_after kubectl --context "$CONTEXT" -n "$CP" get configmap "$CONTROLLER_CONFIGMAP" -o 'jsonpath={.metadata.uid}'
  check "the ConfigMap was updated in place (same uid), not replaced" test "$uid_before" = "$uid_after"
  capture persistence kubectl --context "$CONTEXT" -n "$CP" get configmap "$CONTROLLER_CONFIGMAP" -o 'jsonpath={.data.persistence}'
  check "it holds the new TTL" grep -qx 'archiveTTL: 14d' <<<"$persistence"
  wait_ready

  stop_port_forward
  run_logged pulumi-destroy.log pulumi destroy --stack "$STACK" --yes --non-interactive
  check "destroy kept Argo's CRDs" \
    kubectl --context "$CONTEXT" get customresourcedefinition workflows.argoproj.io workflowtemplates.argoproj.io
  check "and the control-plane namespace with the archive's and the artifact store's claims" \
    kubectl --context "$CONTEXT" -n "$CP" get persistentvolumeclaim "${RETAINED_CLAIMS[@]}"
  wait_until "the $DP namespace is gone" 180 namespace_gone "$DP"

  run_logged pulumi-up-3.log pulumi up --stack "$STACK" --yes --non-interactive
  wait_ready
  # The accounts were deleted and created again: earlier tokens are void.
  set_token AUTHOR_TOKEN "$AUTHOR_ACCOUNT"
  start_port_forward
  check_archived "after destroy and up (the database's claim was kept, its password re-set from the new Secret)"
  submit again "$SMOKE_TEMPLATE"
  wait_for_phase "$again" Succeeded 300

  capture tree_after git -C "$ROOT" status --porcelain --untracked-files=all
  check "the repository's files are as they were (only the temporary copy changed)" test "$TREE_BEFORE" = "$tree_after"
}

collect_diagnostics() {
  step "7. On failure: every pod's logs, the cluster's state and the pulumi output, into $ARTIFACTS"
  local dir=$ARTIFACTS/cluster listing ns pod names container
  run mkdir -p "$dir/logs"
  kubectl_to "$dir/pods.txt" get pods -A -o wide
  kubectl_to "$dir/events.txt" get events -A --sort-by=.lastTimestamp
  kubectl_to "$dir/describe-pods.txt" describe pods -A
  kubectl_to "$dir/objects.txt" get nodes,namespaces,deployments,statefulsets,services,persistentvolumeclaims,networkpolicies -A -o wide
  kubectl_to "$dir/workflows.yaml" -n "$DP" get workflows,workflowtemplates -o yaml
  kubectl_to "$dir/admission-policies.yaml" get validatingadmissionpolicies,validatingadmissionpolicybindings -o yaml
  capture listing kubectl --context "$CONTEXT" get pods -A -o \
    'jsonpath={range .items[*]}{.metadata.namespace} {.metadata.name} {range .spec.initContainers[*]}{.name},{end}{range .spec.containers[*]}{.name},{end}{"\n"}{end}' ||
    listing=
  ! $DRY_RUN || listing='<namespace> <pod> <container>,'
  while read -r ns pod names; do
    [ -n "$pod" ] || continue
    for container in ${names//,/ }; do
      kubectl_to "$dir/logs/$ns.$pod.$container.log" -n "$ns" logs "$pod" -c "$container"
      $DRY_RUN || kubectl --context "$CONTEXT" -n "$ns" logs "$pod" -c "$container" --previous \
        >"$dir/logs/$ns.$pod.$container.previous.log" 2>/dev/null || rm -f "$dir/logs/$ns.$pod.$container.previous.log"
    done
  done <<<"$listing"
  note "pulumi's output: $ARTIFACTS/pulumi-*.log"
}

kubectl_to() {
  local file=$1
  shift
  printf '   $ %s > %s\n' "$(quote kubectl --context "$CONTEXT" "$@")" "$file"
  $DRY_RUN || kubectl --context "$CONTEXT" "$@" >"$file" 2>&1 || true
}

on_exit() {
  local status=$?
  set +e
  stop_port_forward
  cd "$ROOT" || true
  if [ "$status" -ne 0 ] && [ -n "$ARTIFACTS" ]; then
    if $CREATED_CLUSTER; then collect_diagnostics >&2; fi
    printf '\nLogs and diagnostics: %s\n' "$ARTIFACTS" >&2
    if $CREATED_CLUSTER; then
      printf 'The cluster is kept for a look (kubectl --context %s; kind delete cluster --name %s when done);\n' "$CONTEXT" "$CLUSTER" >&2
      printf 'its kubeconfig and the Pulumi state are in %s.\n' "$WORK" >&2
    fi
  elif [ "$status" -eq 0 ] && [ -n "$WORK" ]; then
    if $CREATED_CLUSTER && ! $KEEP_CLUSTER; then
      kind delete cluster --name "$CLUSTER" >/dev/null 2>&1
      rm -rf "$WORK"
    elif $CREATED_CLUSTER; then
      printf '\nThe cluster is kept (--keep-cluster): KUBECONFIG=%s, Pulumi state %s\n' "$KUBECONFIG" "$WORK/state"
    fi
  fi
  exit "$status"
}

main() {
  if [ -n "$INSTALL_DIR" ]; then
    install_tools "$INSTALL_DIR"
    return 0
  fi
  if $DRY_RUN; then
    printf 'Dry run: the commands an end-to-end run executes, none executed (values a step reads from the cluster\nshow as <name>).\n'
    WORK='<work>'
    ARTIFACTS=${E2E_ARTIFACTS_DIR:-<artifacts>}
  else
    prerequisites
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/argo-platform-e2e.XXXXXX")
    ARTIFACTS=${E2E_ARTIFACTS_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/argo-platform-e2e-artifacts.XXXXXX")}
    mkdir -p "$ARTIFACTS"
    trap on_exit EXIT
    trap 'exit 130' INT TERM
  fi
  COPY=$WORK/project
  # A kubeconfig of its own: the run never reads or changes the user's, and every context in it is this cluster's.
  export KUBECONFIG=$WORK/kubeconfig
  note "artifacts: $ARTIFACTS"
  create_cluster
  deploy
  use_as_a_person
  refusals
  archive
  lifecycle
  if $DRY_RUN; then
    collect_diagnostics
  else
    printf '\nEnd-to-end test passed in %ss. Its logs: %s\n' "$SECONDS" "$ARTIFACTS"
  fi
}

main
