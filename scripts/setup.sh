#!/usr/bin/env bash
# Installs what dicom-media needs on Debian 12 (run as root or with sudo available):
# system libraries and the peer tools used as test oracles, and a Python venv with pydicom.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
PKGS=(pkg-config zlib1g-dev libarchive-dev libsqlite3-dev libturbojpeg0-dev libopenjp2-7-dev libcharls-dev libisofs-dev libburn-dev
      dcmtk dicom3tools libgdcm-tools libopenjp2-tools libjpeg-turbo-progs python3 python3-venv python3-pip hyperfine
      xorriso genisoimage libarchive-tools chromium chromium-driver fonts-noto-cjk libxml2-utils w3c-sgml-lib libcairo2-dev poppler-utils libssl-dev openssl strace orthanc orthanc-dicomweb orthanc-gdcm)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! .venv/bin/python -c 'import pydicom, numpy, pytest, pylibjpeg, openjpeg, libjpeg, rle, jpeg_ls, pynetdicom, schemathesis, selenium; assert pydicom.__version__ == "3.0.2"' 2>/dev/null; then
  echo "setup: creating .venv with pydicom 3.0.2 and pylibjpeg"
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check pydicom==3.0.2 numpy pytest \
    pylibjpeg==2.1.0 pylibjpeg-libjpeg==2.5.0 pylibjpeg-openjpeg==2.6.0 pylibjpeg-rle==2.2.0 pyjpegls==1.5.1 pynetdicom==3.0.4 schemathesis==4.32.5 selenium==4.27.1
fi
