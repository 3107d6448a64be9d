#!/usr/bin/env bash
# Real C code bases beyond SQLite for the userspace corpus: the same matrix as
# ../shared/corpus/userspace-objects.sh (x86_64/aarch64 x gcc12/clang19 x O2-nopic O2-pic Os-pic
# O0-pic O3-pic), the same layout and the same compiler-derived truth (*.jt.json from the assembly,
# *.cfa.jsonl from .eh_frame), written to $CORPUS_DIR/us/<arch>-<cc>-<opt>/<name>/.
#
#   expat                   libexpat 2.2.1 as vendored by the npm package node-expat: xmltok.c's
#                           byte-class switches, xmlrole.c's state handlers, xmlparse.c
#   tree-sitter-javascript  the npm grammar: a generated parser.c whose lexer is one large switch,
#                           plus the hand-written scanner.c
#   dtc                     the device-tree compiler and libfdt from the Linux 6.12 source tree
#                           (no download), its lexer and parser generated with flex and bison:
#                           flex's action switch, bison's reduction switch, dtc's option switch
#
# Usage:  corpus/extra-codebases.sh [NAME...]     (default: all three; idempotent, skips finished builds)
# Env:    CORPUS_DIR (default $HOME/.cache/objcorpus), JOBS (default 2), MATRIX_ARCHES / MATRIX_CCS /
#         MATRIX_OPTS (as userspace-objects.sh), OBJFLOW_SHARED (default ../shared beside the repo),
#         LINUX_SRC (default $CORPUS_DIR/src/linux-source-6.12), NO_INSTALL=1 (no apt-get).
# A code base whose sources cannot be had (no registry, no kernel source) is skipped with a message
# and a marker file $CORPUS_DIR/us/src/<name>.unavailable that the corpus tests print; the script
# then still exits 0, so CI goes on with what was built.
set -uo pipefail

XC_REPO="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
XC_SHARED="${OBJFLOW_SHARED:-$(cd "$XC_REPO/.." && pwd)/shared}"
# shellcheck source=/dev/null
source "$XC_SHARED/corpus/userspace-objects.sh" || { echo "extra-codebases: no $XC_SHARED/corpus/userspace-objects.sh" >&2; exit 1; }

XC_EXPAT_VERSION="${NODE_EXPAT_VERSION:-2.4.1}"
XC_TSJS_VERSION="${TREE_SITTER_JAVASCRIPT_VERSION:-0.25.0}"
XC_ALL="expat tree-sitter-javascript dtc"

xc_main() {
  local root="${CORPUS_DIR:-$HOME/.cache/objcorpus}/us" names="${*:-$XC_ALL}" ready=() n
  export XC_ROOT="$root"
  export XC_LINUX="${LINUX_SRC:-${CORPUS_DIR:-$HOME/.cache/objcorpus}/src/linux-source-6.12}"
  mkdir -p "$root/src"
  us_install_tools || return 1
  for n in $names; do
    if "xc_prepare_${n//-/_}" "$root/src"; then rm -f "$root/src/$n.unavailable"; ready+=("$n")
    else us_log "extra-codebases: $n sources unavailable, skipped"; echo "sources could not be fetched or generated on $(date -u +%FT%TZ)" > "$root/src/$n.unavailable"; fi
  done
  [ ${#ready[@]} -eq 0 ] && return 0
  us_export
  export -f xc_build_one
  export XC_EXPAT_VERSION XC_TSJS_VERSION
  local t0; t0=$(date +%s)
  # one line per (code base, configuration): JOBS builds at a time
  for n in "${ready[@]}"; do us_matrix | sed "s/^/$n /"; done \
    | xargs -P "${JOBS:-2}" -L1 bash -c 'xc_build_one "$@"' xc
  local rc=$?
  us_log "extra-codebases: ${ready[*]} in $(( $(date +%s) - t0 )) s (rc $rc)"
  python3 "$US_PYDIR/jumptables.py" --summary "$root" > "$root/summary.txt" 2>&1 || true
  grep -E "^file|/(${names// /|})/" "$root/summary.txt" || true
  return $rc
}

# xc_build_one NAME ARCH CC OPT
xc_build_one() {
  local name="$1" arch="$2" cc="$3" opt="$4" root="$XC_ROOT" link src="$XC_ROOT/src" nopic=0
  case "$opt" in *-nopic) nopic=1 ;; esac
  case "$name" in
    expat)
      local e="$src/node-expat-$XC_EXPAT_VERSION/package/deps/libexpat"
      if [ $nopic = 1 ]; then link="exe:expat-nopie"; else link="so:libexpat.so"; fi
      US_STUB_SYM=XML_ExpatVersion us_build_codebase "$root" "$arch" "$cc" "$opt" expat "$link" \
        "-DHAVE_EXPAT_CONFIG_H -I$e -I$e/lib" "$e/lib/xmlparse.c" "$e/lib/xmltok.c" "$e/lib/xmlrole.c" ;;
    tree-sitter-javascript)
      local t="$src/tree-sitter-javascript-$XC_TSJS_VERSION/package/src"
      if [ $nopic = 1 ]; then link="exe:tsjs-nopie"; else link="so:libtsjs.so"; fi
      US_STUB_SYM=tree_sitter_javascript us_build_codebase "$root" "$arch" "$cc" "$opt" tree-sitter-javascript "$link" \
        "-I$t" "$t/parser.c" "$t/scanner.c" ;;
    dtc)
      local d="$XC_LINUX/scripts/dtc" g="$src/dtc-6.12-generated" f srcs=()
      for f in "$d"/libfdt/*.c; do srcs+=("$f"); done
      for f in checks data dtc flattree fstree livetree srcpos treesource util; do srcs+=("$d/$f.c"); done
      srcs+=("$g/dtc-lexer.lex.c" "$g/dtc-parser.tab.c")
      if [ $nopic = 1 ]; then link="exe:dtc-nopie"; else link="so:libdtc.so"; fi
      # dtc's own main is renamed: the -nopic link adds the corpus' stub main
      US_STUB_SYM=fdt_strerror us_build_codebase "$root" "$arch" "$cc" "$opt" dtc "$link" \
        "-DNO_YAML -Dmain=dtc_main -I$g -I$d -I$d/libfdt" "${srcs[@]}" ;;
    *) echo "unknown code base $name" >&2; return 1 ;;
  esac
}

xc_prepare_expat() {
  us_fetch_npm "$1" "node-expat@$XC_EXPAT_VERSION" &&
    [ -s "$1/node-expat-$XC_EXPAT_VERSION/package/deps/libexpat/lib/xmlparse.c" ]
}

xc_prepare_tree_sitter_javascript() {
  us_fetch_npm "$1" "tree-sitter-javascript@$XC_TSJS_VERSION" &&
    [ -s "$1/tree-sitter-javascript-$XC_TSJS_VERSION/package/src/parser.c" ]
}

xc_prepare_dtc() {
  local d="$XC_LINUX/scripts/dtc" g="$1/dtc-6.12-generated"
  [ -s "$d/dtc-parser.y" ] || { us_log "no Linux source at $XC_LINUX"; return 1; }
  [ -e "$g/.ok" ] && return 0
  if ! command -v flex >/dev/null || ! command -v bison >/dev/null; then
    [ "${NO_INSTALL:-0}" = 1 ] && return 1
    apt-get install -y -q flex bison >&2 || { apt-get update -q >&2 && apt-get install -y -q flex bison >&2; } || return 1
  fi
  mkdir -p "$g" &&
    flex -o "$g/dtc-lexer.lex.c" "$d/dtc-lexer.l" &&
    bison -d -o "$g/dtc-parser.tab.c" "$d/dtc-parser.y" &&
    { flex --version; bison --version | head -1; } > "$g/.ok"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then xc_main "$@"; fi
