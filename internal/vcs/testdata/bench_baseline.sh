#!/bin/sh
# Baseline for BenchmarkVsGit: what plain git needs to mirror a repository
# and build a zip of every tag, the floor the vcs package is measured
# against.
#
# Usage: bench_baseline.sh SOURCE WORKDIR
#   SOURCE   repository URL or path (the benchmark passes a file:// URL)
#   WORKDIR  scratch directory, emptied first
set -eu
src=$1
work=$2
rm -rf "$work"
mkdir -p "$work/zips"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
git clone --quiet --mirror "$src" "$work/mirror.git"
cd "$work/mirror.git"
git for-each-ref --format='%(refname:short)' refs/tags | while read -r tag; do
	git archive --format=zip --prefix=pkg/ -o "$work/zips/$tag.zip" "$tag"
done
