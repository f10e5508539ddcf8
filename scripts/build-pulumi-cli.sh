#!/usr/bin/env bash
# Builds the real Pulumi CLI and its language hosts from the Go module proxy into .pulumi-cli/bin.
#
# The `pulumi` npm package only downloads a prebuilt binary at run time, which cannot work where only package
# registries are reachable, so the CLI is compiled from its Go modules instead. tools/pulumi-cli/go.mod pins the
# CLI, tools/pulumi-cli/yaml/go.mod the YAML language host (their go.sum files make the downloads verifiable);
# nothing of upstream's source lives in this repository.
#
# Not built: pulumi-language-nodejs, -python and -go. The proxy serves no version of their modules
# (github.com/pulumi/pulumi/sdk/{nodejs/cmd/pulumi-language-nodejs,python/cmd/pulumi-language-python,
# go/pulumi-language-go}/v3 answer 403 "This module version is not available"); test/e2e/client-host.js and
# python-client-host.py serve Node.js and Python programs to the CLI instead, go-language-host.js compiles and runs
# Go programs, nodejs-plugin-host.js runs Node.js plugins and policy packs, and gen-sdk (built here) generates the
# Python and Go SDKs.
#
# A build whose inputs (the go.mod and go.sum files, this script, the Go version) did not change is reused: the
# stamp file holds their hash. Set PULUMI_CLI_REBUILD=1 to force a rebuild.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
mod="$root/tools/pulumi-cli"
yaml_mod="$mod/yaml"
out="$root/.pulumi-cli"
bin="$out/bin"
stamp="$out/stamp"

# Go's usual install folder is on the PATH only in interactive shells on some machines (CI runs this without one).
if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
  export PATH="$PATH:/usr/local/go/bin"
fi
if ! command -v go >/dev/null 2>&1; then
  echo "build-pulumi-cli: Go is not installed (needs Go >= 1.26.6 on PATH); the unit suite (npm test) does not need it" >&2
  exit 1
fi

# The machine's Go, never a toolchain download; the module pins are the committed go.sum files, never a silent
# update; no VCS stamping (the binaries are upstream's, not this repository's).
export GOTOOLCHAIN=local
export GOFLAGS="-mod=readonly -buildvcs=false"
cd "$mod"

# The version of a module in the build list of the module in the current directory.
modver() { go list -m -f '{{.Version}}' "$1"; }

# The main packages and the module whose version each one is stamped with.
cli_pkg=github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
yaml_pkg=github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml

inputs_hash() {
  { cat go.mod go.sum "$yaml_mod/go.mod" "$yaml_mod/go.sum" gen-sdk/*.go "$root/scripts/build-pulumi-cli.sh"; go version; } | sha256sum | cut -d' ' -f1
}

report() {
  echo "pulumi CLI in $bin:"
  "$bin/pulumi" version | sed 's/^/  pulumi /'
  echo "  pulumi-language-yaml $(cd "$yaml_mod" && modver github.com/pulumi/pulumi-yaml) (built with pkg/v3 $(cd "$yaml_mod" && modver github.com/pulumi/pulumi/pkg/v3))"
  for f in "$bin"/*; do
    case "$(basename "$f")" in pulumi | pulumi-language-yaml) ;;
      gen-sdk) echo "  gen-sdk (ours, with pkg/v3 $(modver github.com/pulumi/pulumi/pkg/v3)'s codegen/python and codegen/go)" ;;
      *) echo "  $(basename "$f") (from sdk/v3 $(modver github.com/pulumi/pulumi/sdk/v3))" ;; esac
  done
}

hash="$(inputs_hash)"
if [[ "${PULUMI_CLI_REBUILD:-}" != 1 && -f "$stamp" && "$(cat "$stamp")" == "$hash" && -x "$bin/pulumi" ]]; then
  echo "build-pulumi-cli: inputs unchanged, reusing the build"
  report
  exit 0
fi

pulumi_version="$(modver github.com/pulumi/pulumi/pkg/v3)"
yaml_version="$(cd "$yaml_mod" && modver github.com/pulumi/pulumi-yaml)"
sdk_dir="$(go mod download -json github.com/pulumi/pulumi/sdk/v3 | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
echo "build-pulumi-cli: building pulumi $pulumi_version and pulumi-language-yaml $yaml_version with $(go version | cut -d' ' -f3) (a first build takes many minutes)"

rm -rf "$bin" "$stamp"
mkdir -p "$bin"
start=$(date +%s)
# -trimpath keeps this machine's paths out of the binaries; -p 2 matches the two cores the project's machines have.
go build -trimpath -p 2 -o "$bin/" \
  -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$pulumi_version" "$cli_pkg"
# The Python and Go SDK generators `pulumi package add` reaches through pulumi-language-python and -go (not
# served): a few lines of ours over the same pkg/v3 code generators (tools/pulumi-cli/gen-sdk).
go build -trimpath -p 2 -o "$bin/" -ldflags "-s -w" ./gen-sdk
(cd "$yaml_mod" && go build -trimpath -p 2 -o "$bin/" \
  -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=$yaml_version" "$yaml_pkg")

# Small executables the CLI looks for beside the language hosts; they ship as files of the sdk/v3 module
# (read-only in the module cache, so the run bit is set on the copies).
for f in nodejs/dist/pulumi-resource-pulumi-nodejs python/dist/pulumi-resource-pulumi-python python/cmd/pulumi-language-python-exec; do
  install -m 0755 "$sdk_dir/$f" "$bin/"
done

echo "$hash" > "$stamp"
echo "build-pulumi-cli: built in $(( $(date +%s) - start )) s"
report
