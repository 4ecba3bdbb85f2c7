#!/usr/bin/env bash
# Installs the system packages the test suite runs against (Debian/Ubuntu): a real SAML IdP, the AWS CLI v2
# and boto3 as metadata-service clients, Chromium for browser sign-in and renderer tests, network tools for
# the link-local alias tests, and load, tracing and image tools for benchmarks and icons (scripts/make-icons.mjs). Idempotent.
set -euo pipefail
packages=(
  simplesamlphp php-cli php-xml php-mbstring
  awscli python3-boto3
  chromium xvfb
  iproute2 nftables iptables util-linux
  openssl xmlsec1 wrk imagemagick librsvg2-bin
  desktop-file-utils strace
)
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
