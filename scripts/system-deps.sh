#!/usr/bin/env bash
# Installs the Debian packages otvet's test suite uses, only when they are missing.
#   chromium         headless browser: HTML report checks, comparison screenshots, PDF printing
#   gnupg (gpg/gpgv) OpenPGP signature verification of CSAF and update packages
#   minisign         creates minisign signatures for update-verification tests
#   snmpd            a real SNMP agent for the lab-probe test range
# Runtime use of otvet needs none of them (PDF output is skipped with a note without Chromium).
set -euo pipefail
want=(chromium gnupg minisign snmpd)
bins=(chromium gpgv minisign snmpd)
missing=()
for i in "${!want[@]}"; do
  command -v "${bins[$i]}" >/dev/null 2>&1 || [ -x "/usr/sbin/${bins[$i]}" ] || missing+=("${want[$i]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "system-deps: missing Debian packages: ${missing[*]} (run as root or install them)" >&2
    exit 1
  fi
else
  SUDO=
fi
echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# snmpd starts a system agent on install: the test range runs its own instances only.
if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now snmpd >/dev/null 2>&1 || true; fi
pkill -x snmpd >/dev/null 2>&1 || true
