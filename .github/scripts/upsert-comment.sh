#!/usr/bin/env bash
# Creates or updates one pull-request comment, found by a hidden HTML marker, through the GitHub REST API.
#
#   upsert-comment.sh <pr-number> <marker> <body-file> [<note-when-cut>]
#
# The comment's body is the marker line followed by the body file. A comment of this pull request whose body starts
# with the marker is updated in place (PATCH /repos/{repo}/issues/comments/{id}); without one, a comment is created
# (POST /repos/{repo}/issues/{pr}/comments). Comments without the marker, such as pulumi/actions' own preview comment
# (same bot user), are never touched: that is why this is not `gh pr comment --edit-last`, which edits whichever
# comment the token's user wrote last.
#
# GitHub refuses a comment body over 65,536 characters. A body over COMMENT_MAX_BYTES (default 60000) bytes, which
# is never more characters than bytes, is cut at the last whole line that fits; code fences and <details> left open
# are closed, and <note-when-cut> (e.g. where the full text is) is appended.
#
# Needs: gh (authenticated through GH_TOKEN), jq, GITHUB_REPOSITORY (owner/name; set by GitHub Actions).
set -euo pipefail

usage() {
  echo "usage: $0 <pr-number> <marker> <body-file> [<note-when-cut>]" >&2
  exit 2
}
if [ "$#" -lt 3 ] || [ "$#" -gt 4 ]; then usage; fi
pr=$1
marker=$2
body_file=$3
note=${4:-"The rest was cut: GitHub refuses comments over 65,536 characters."}
max_bytes=${COMMENT_MAX_BYTES:-60000}
repo=${GITHUB_REPOSITORY:?GITHUB_REPOSITORY must name the repository (owner/name)}

case "$pr" in '' | *[!0-9]*)
  echo "$0: the pull request number must be a number, got '$pr'" >&2
  exit 2
  ;;
esac
case "$marker" in '<!--'*'-->') ;; *)
  echo "$0: the marker must be a hidden HTML comment (<!-- ... -->), got '$marker'" >&2
  exit 2
  ;;
esac
[ -r "$body_file" ] || {
  echo "$0: cannot read the body file $body_file" >&2
  exit 2
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The body: the marker on its own first line, then the file.
{
  printf '%s\n' "$marker"
  cat "$body_file"
} >"$work/body.md"

bytes() { wc -c <"$1" | tr -d ' '; }
count() { grep -o -- "$1" "$2" | wc -l | tr -d ' ' || true; }

if [ "$(bytes "$work/body.md")" -gt "$max_bytes" ]; then
  # Room for the note and the closing lines; then keep whole lines only (a cut line could split a character).
  reserve=$((${#note} * 4 + 512))
  if [ "$max_bytes" -le "$reserve" ]; then
    echo "$0: COMMENT_MAX_BYTES=$max_bytes leaves no room for the note" >&2
    exit 2
  fi
  head -c "$((max_bytes - reserve))" "$work/body.md" | sed '$d' >"$work/cut.md"
  {
    cat "$work/cut.md"
    # An odd number of fence lines means the cut is inside a code block.
    if [ $(($(grep -c '^[[:space:]]*```' "$work/cut.md" || true) % 2)) -eq 1 ]; then printf '```\n'; fi
    open=$(($(count '<details>' "$work/cut.md") - $(count '</details>' "$work/cut.md")))
    while [ "$open" -gt 0 ]; do
      printf '</details>\n'
      open=$((open - 1))
    done
    printf '\n---\n:warning: %s\n' "$note"
  } >"$work/body.md"
fi

jq -n --rawfile body "$work/body.md" '{body: $body}' >"$work/payload.json"

# Every page of the pull request's comments (each page is one JSON array); the first one that carries the marker.
gh api --paginate "repos/$repo/issues/$pr/comments?per_page=100" >"$work/comments.json"
id=$(jq -r --arg marker "$marker" '.[] | select((.body // "") | startswith($marker)) | .id' "$work/comments.json" |
  head -n 1)

if [ -n "$id" ]; then
  gh api --method PATCH "repos/$repo/issues/comments/$id" --input "$work/payload.json" >/dev/null
  echo "updated comment $id on #$pr ($(bytes "$work/body.md") bytes)"
else
  gh api --method POST "repos/$repo/issues/$pr/comments" --input "$work/payload.json" >/dev/null
  echo "created a comment on #$pr ($(bytes "$work/body.md") bytes)"
fi
