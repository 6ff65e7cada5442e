#!/usr/bin/env bash
# build.sh: compiles the server to plain JavaScript in .build/, so `serve` runs without tsx's loader (a second V8
# isolate, ~35 MB resident, plus transpiling at start-up). Tests and the CLI keep running the sources through tsx.
#
# .build/ mirrors the repository: the directories the server reads at run time are symlink farms of the sources
# (problems, tracer runtimes, image inputs, shell helpers), and tsc writes the .js files beside the links, so every
# `new URL('../…', import.meta.url)` resolves in .build/ as it does in the sources.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/lib.sh
mkdir -p .build .tracecast-data
for d in protocol server schema sandbox-images problems tracer-runtimes; do
  cp -rsf "$PWD/$d" .build/
done
find .build -xtype l -delete   # links to sources deleted since the last build
# and what tsc wrote for them
find .build/protocol .build/server .build/schema .build/sandbox-images -name '*.js' 2>/dev/null | while read -r js; do
  [ -e "${js%.js}.ts" ] || rm -f "$js"
done
ln -sfn ../.tracecast-data .build/.tracecast-data
npx tsc -p tsconfig.build.json
say build "server compiled to .build/"
