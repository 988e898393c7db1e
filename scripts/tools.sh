#!/usr/bin/env bash
# Installs the pinned local tools into .tools/bin (git-ignored). Safe to run repeatedly: a tool is
# rebuilt only when its pinned version changes. Needs Go 1.24+ (the Go module proxy is the source).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.tools/bin"
mkdir -p "$BIN"

FERRETDB_VERSION="v1.24.2"
MAILPIT_VERSION="v1.27.11"
HELM_VERSION="v3.19.5"

need_go() {
  if ! command -v go >/dev/null 2>&1; then
    echo "error: Go 1.24+ is needed to install $1 (https://go.dev/dl/); or set the service's URL env variable to an existing one." >&2
    exit 1
  fi
}

installed() { [[ -x "$BIN/$1" && -f "$BIN/.$1.version" && "$(cat "$BIN/.$1.version")" == "$2" ]]; }

install_ferretdb() {
  installed ferretdb "$FERRETDB_VERSION" && return
  need_go FerretDB
  echo "installing FerretDB $FERRETDB_VERSION into .tools/bin ..."
  # FerretDB's `go install` build panics without build/version/version.txt, which release builds
  # generate; build from the module source with that file written.
  local dir src
  dir="$(go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
  src="$(mktemp -d)"
  cp -r "$dir/." "$src/"
  chmod -R u+w "$src"
  echo "$FERRETDB_VERSION" >"$src/build/version/version.txt"
  (cd "$src" && GOFLAGS=-mod=mod go build -trimpath -o "$BIN/ferretdb" ./cmd/ferretdb)
  rm -rf "$src"
  echo "$FERRETDB_VERSION" >"$BIN/.ferretdb.version"
}

install_go_tool() { # name module version
  installed "$1" "$3" && return
  need_go "$1"
  echo "installing $1 $3 into .tools/bin ..."
  GOBIN="$BIN" go install "$2@$3"
  echo "$3" >"$BIN/.$1.version"
}

want="${*:-ferretdb mailpit}"
for tool in $want; do
  case "$tool" in
    ferretdb) install_ferretdb ;;
    mailpit) install_go_tool mailpit github.com/axllent/mailpit "$MAILPIT_VERSION" ;;
    helm) install_go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION" ;;
    *) echo "unknown tool: $tool" >&2; exit 1 ;;
  esac
done
