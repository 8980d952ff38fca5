#!/bin/sh
# Install the Debian packages inquest needs, only those missing, with one
# 'apt-get update' before the first install.  Silent when all are present.
#   tools/deps.sh build   libraries and tools to build and run
#   tools/deps.sh test    plus what the test suite drives (Prometheus, ...;
#                         python3 runs tools/check_layers.py)
#   tools/deps.sh fuzz    plus clang and libFuzzer for `make fuzz`
set -eu
BUILD_PKGS="gcc make pkg-config libzmq3-dev libmsgpack-dev librocksdb-dev libpcre2-dev
libjansson-dev libmicrohttpd-dev libcurl4-openssl-dev libsodium-dev libcmark-gfm-dev
libcmark-gfm-extensions-dev libyaml-dev tzdata"
# libyaml-dev: YAML front matter of finished postmortems (postmortem/pm_front.c) and
# YAML config files (common/iq_yaml.c).
# tzdata: the zoneinfo database that --tz and drafts.tz read (common/iq_tz.c).
TEST_PKGS="libcmocka-dev curl openssl iproute2 procps prometheus prometheus-alertmanager
docker-compose wrk chromium python3 libxml2-dev"
# libclang-rt-14-dev holds libFuzzer and the sanitizer runtimes clang links.
FUZZ_PKGS="clang-14 libclang-rt-14-dev"

want=$BUILD_PKGS
[ "${1:-build}" = test ] && want="$BUILD_PKGS $TEST_PKGS"
[ "${1:-build}" = fuzz ] && want="$BUILD_PKGS $FUZZ_PKGS"

missing=""
for p in $want; do
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$st" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "deps: missing packages:$missing (run 'make deps' as root)" >&2
  exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
