#!/bin/sh
# Rebuilds the example objects that `npm start` checks (committed, so a machine with only Node can run it).
set -eu
cd "$(dirname "$0")"
mkdir -p bin
gcc -O2 -fno-pie -fasynchronous-unwind-tables -c src/good.c -o bin/good.o
gcc -c src/bad.S -o bin/bad.o
