#!/usr/bin/env bash
# For a pull request: renders every stack offline at the base and at the head, diffs the manifests, and runs the
# offline plan (`npm run plan -- --stack <s> --base <base sha>`). Needs no credential of any kind.
#
#   rendered-diff.sh <base-sha> <out-dir>
#
# Writes <out-dir>/<stack>.diff and <out-dir>/<stack>.plan.txt in full (for the workflow artifact), and
# <out-dir>/comment.md: per stack, the plan and the diff, each cut to a size that keeps the whole comment well under
# GitHub's 65,536 characters (upsert-comment.sh cuts again if it must). RUN_URL, when set, is where the full files are.
# A stack only at the head is diffed against nothing (all of it is new), one only at the base likewise (all of it goes).
set -euo pipefail

if [ "$#" -ne 2 ]; then
  echo "usage: $0 <base-sha> <out-dir>   (or: $0 --stacks <base-sha>, which lists the stacks and stops)" >&2
  exit 2
fi
root=$(git rev-parse --show-toplevel)
cd "$root"

# Every stack file of the base and of the working tree: each is rendered, diffed and planned (dev included).
stacks_at() { git ls-tree --name-only "$1" | sed -n 's/^Pulumi\.\(.*\)\.yaml$/\1/p'; }
list_stacks() { { stacks_at "$1"; for f in Pulumi.*.yaml; do f=${f#Pulumi.}; echo "${f%.yaml}"; done; } | sort -u; }
if [ "$1" = --stacks ]; then
  list_stacks "$2"
  exit 0
fi

base=$1
out=$2
per_stack_bytes=${PER_STACK_BYTES:-14000}
mkdir -p "$out"
mapfile -t stacks < <(list_stacks "$base")
base_tree=$(mktemp -d)
trap 'git worktree remove --force "$base_tree" >/dev/null 2>&1 || true; rm -rf "$base_tree"' EXIT

git worktree add --quiet --detach "$base_tree" "$base"
if cmp -s "$base_tree/package-lock.json" package-lock.json; then
  ln -s "$root/node_modules" "$base_tree/node_modules"
else
  (cd "$base_tree" && npm ci --no-audit --no-fund >/dev/null)
fi

# render <tree> <stack> <dir>: the stack's manifests as that tree's own code renders them; empty when it has no
# such stack. Prints why when it cannot render.
render() {
  mkdir -p "$3"
  : >"$3/manifests.yaml"
  [ -f "$1/Pulumi.$2.yaml" ] || return 0
  (cd "$1" && npm run --silent render -- --stack "$2" --out "$3") >"$3/render.log" 2>&1 || {
    echo "its render failed, so it is diffed as empty (render.log in the artifact says why)"
    return 1
  }
}

# cut <file> <bytes>: at most that many bytes of whole lines, and a line saying how much was left out.
cut_to() {
  local size
  size=$(wc -c <"$1" | tr -d ' ')
  if [ "$size" -le "$2" ]; then
    cat "$1"
  else
    head -c "$2" "$1" | sed '$d'
    echo "… $((size - $2)) more bytes in the artifact"
  fi
}

{
  echo "### Rendered manifests and offline plan: base \`$(git rev-parse --short=12 "$base")\` → head \`$(git rev-parse --short=12 HEAD)\`"
  echo
  echo "Rendered offline from the program and the stack files, with no cluster or credentials; the plan says what \`pulumi up\` would do to each resource and why (README, \"Planning a change offline\")."
  if [ -n "${RUN_URL:-}" ]; then echo "Full diffs and plans: artifact \`rendered-diff\` of [this run]($RUN_URL)."; fi
  echo
} >"$out/comment.md"

for stack in "${stacks[@]}"; do
  head_dir="$out/head/$stack"
  base_dir="$out/base/$stack"
  notes=()
  if ! msg=$(render "$root" "$stack" "$head_dir"); then notes+=("head: $msg"); fi
  if ! msg=$(render "$base_tree" "$stack" "$base_dir"); then notes+=("base: $msg"); fi
  [ -f "Pulumi.$stack.yaml" ] || notes+=("removed by this pull request: everything it deployed is diffed as deleted")
  [ -f "$base_tree/Pulumi.$stack.yaml" ] || notes+=("new in this pull request: everything is diffed as added")

  # A missing side is diffed as /dev/null, so a new or removed stack shows its whole manifest.
  old=$base_dir/manifests.yaml new=$head_dir/manifests.yaml
  [ -s "$old" ] || old=/dev/null
  [ -s "$new" ] || new=/dev/null
  status=0
  diff -u --label "base/$stack" --label "head/$stack" "$old" "$new" >"$out/$stack.diff" || status=$?
  [ "$status" -le 1 ] || notes+=("diff failed (exit $status)")
  added=$(grep -c '^+[^+]' "$out/$stack.diff" || true)
  removed=$(grep -c '^-[^-]' "$out/$stack.diff" || true)

  if npm run --silent plan -- --stack "$stack" --base "$base" >"$out/$stack.plan.txt" 2>"$out/$stack.plan.err"; then
    plan_line=$(awk '/^  (replace|delete|create|update)/ { n[$1]++ } /BLOCKED/ { blocked = 1 }
      END {
        split("replace delete create update", order, " ")
        for (i = 1; i <= 4; i++) if (n[order[i]]) s = s (s ? ", " : "") n[order[i]] " " order[i]
        if (!s) s = "no changes"
        if (blocked) s = s ", BLOCKED"
        print s
      }' "$out/$stack.plan.txt")
  else
    plan_line="plan failed"
    cat "$out/$stack.plan.err" >>"$out/$stack.plan.txt"
  fi

  {
    echo "<details><summary><b>$stack</b>: manifests +$added −$removed lines; plan: ${plan_line//</&lt;}</summary>"
    echo
    for n in "${notes[@]}"; do echo "- $n"; done
    echo
    echo "**Plan** (\`npm run plan -- --stack $stack --base $(git rev-parse --short=12 "$base")\`)"
    echo
    echo '```text'
    cut_to "$out/$stack.plan.txt" $((per_stack_bytes / 3))
    echo '```'
    echo
    echo "**Manifest diff**"
    echo
    echo '```diff'
    if [ -s "$out/$stack.diff" ]; then cut_to "$out/$stack.diff" $((per_stack_bytes * 2 / 3)); else echo "(no change)"; fi
    echo '```'
    echo
    echo "</details>"
    echo
  } >>"$out/comment.md"
done
