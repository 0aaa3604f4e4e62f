#!/usr/bin/env bash
# Installs the Debian packages the tests use as reference peers and as the USB emulation layer.
# Called by the test build (tests/DfuSharp.TestSupport); safe to run by hand. Does nothing where apt-get is absent,
# where everything is installed already, or when DFUSHARP_SKIP_PEERS=1. Tests that need a missing peer skip with a reason.
set -u
mapfile -t packages < "$(dirname "$0")/debian-packages.txt"

[ "${DFUSHARP_SKIP_PEERS:-0}" = 1 ] && { echo "install-peers: DFUSHARP_SKIP_PEERS=1, not installing"; exit 0; }
[ "$(uname -s)" = Linux ] || exit 0
command -v apt-get >/dev/null 2>&1 || { echo "install-peers: no apt-get; peer tests will be skipped"; exit 0; }

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    echo "install-peers: missing ${missing[*]}; run as root: apt-get install ${missing[*]} (peer tests will be skipped)"
    exit 0
fi

lock=/tmp/dfusharp-install-peers.lock
exec 9>"$lock"
flock 9
echo "install-peers: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >/dev/null 2>&1 || true
if ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/dfusharp-install-peers.log 2>&1; then
    echo "install-peers: apt-get failed (see /tmp/dfusharp-install-peers.log); peer tests will be skipped"
fi
exit 0
