#!/bin/bash
# Builds Debian's FFTW 3.3.10 source in double precision with SSE2 codelets only (128-bit vectors,
# two doubles per register: the width of WASM SIMD) into build/fftw-sse2, for the FFTW bench's
# third column (`npm run bench -- fftw` uses it when it is there). Debian's own libfftw3 is built
# with --enable-sse2 --enable-avx, and its planner picks the 256-bit AVX codelets on this CPU; this
# build isolates how much of FFTW's lead is vector width. Not needed by the library, the tests or CI.
# Needs the Debian source archive (deb-src; set up here in a private apt directory) and gcc.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
prefix="$root/build/fftw-sse2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/apt/parts"
echo 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main' \
  > "$work/apt/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$work/apt/sources.list" -o "Dir::Etc::SourceParts=$work/apt/parts"
  -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt/cache" -o APT::Sandbox::User=root)
apt-get "${apt_opts[@]}" update -qq
cd "$work"
apt-get "${apt_opts[@]}" source --download-only fftw3=3.3.10-1 -qq
tar xzf fftw3_3.3.10.orig.tar.gz
cd fftw-3.3.10
# FFTW's own gcc flags for x86-64 (as its configure picks them), without -mtune=native's machine dependence.
./configure --prefix="$prefix" --enable-shared --disable-static --disable-fortran --enable-sse2 \
  CFLAGS="-O3 -fomit-frame-pointer -fstrict-aliasing" > "$work/configure.log"
make -j"$(nproc)" > "$work/make.log"
make install > "$work/install.log"
echo "FFTW 3.3.10 (SSE2 codelets only) installed in $prefix"
