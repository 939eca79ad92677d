#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian packages named on the command line when they are missing.
# As root: apt-get install (apt-get update first if a package is not found).
# Not root: prints the exact command to run and exits 1.
set -u
if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "tocsin: not a Debian-like system; make sure these are installed: $*" >&2
    exit 0
fi
missing=""
for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
    echo "tocsin: missing system packages:$missing" >&2
    echo "tocsin: run: sudo apt-get update && sudo $cmd" >&2
    exit 1
fi
echo "tocsin: installing missing system packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
if ! $cmd >/dev/null 2>&1; then
    echo "tocsin: running apt-get update first" >&2
    apt-get update -q >/dev/null 2>&1 || true
    if ! $cmd; then
        echo "tocsin: could not install:$missing (command: $cmd)" >&2
        exit 1
    fi
fi
# Debian's prometheus packages try to start their services on systemd machines; our tests use
# their own ports and flags, so stop the packaged services if they were started.
if [ -d /run/systemd/system ]; then
    systemctl stop prometheus prometheus-alertmanager prometheus-node-exporter >/dev/null 2>&1 || true
fi
exit 0
