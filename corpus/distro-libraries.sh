#!/usr/bin/env bash
# Debian 12 distribution libraries for `objflow verify` on real shipped code, both architectures:
# libicu72 (C++, GCC 12), libLLVM-14 (C++, large: ~95,000 FDEs; its AArch64 build has
# synchronous unwind tables) and librsvg2-2 (Rust, through LLVM). Downloaded with apt-get (arm64 as a foreign architecture) and
# unpacked under $CORPUS_DIR/dl/x/<package>-<arch>/; a finished unpack is kept and skipped.
set -euo pipefail
CORPUS_DIR=${CORPUS_DIR:-$HOME/.cache/objcorpus}
DL=$CORPUS_DIR/dl
mkdir -p "$DL/x"
cd "$DL"
need=()
for pkg in libicu72 libllvm14 librsvg2-2; do
  for arch in amd64 arm64; do
    [ -f "x/$pkg-$arch/.unpacked" ] || need+=("$pkg:$arch")
  done
done
if [ ${#need[@]} -eq 0 ]; then echo "distribution libraries: cached in $DL/x"; exit 0; fi
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
  apt-get update -qq
fi
# apt's sandbox user cannot write here; download as root
apt-get download -o APT::Sandbox::User=root "${need[@]}" || { apt-get update -qq && apt-get download -o APT::Sandbox::User=root "${need[@]}"; }
for spec in "${need[@]}"; do
  pkg=${spec%%:*}; arch=${spec##*:}
  deb=$(ls -t "${pkg}"_*_"${arch}".deb | head -1)
  rm -rf "x/$pkg-$arch"
  dpkg -x "$deb" "x/$pkg-$arch"
  touch "x/$pkg-$arch/.unpacked"
  echo "unpacked $deb"
done
