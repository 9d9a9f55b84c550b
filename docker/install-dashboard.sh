#!/bin/sh
# Installs Flowgauge and its dashboard from a source tree into a new virtual environment, with the locked versions.
# The Dockerfile runs it with --container; tests/test_install_dashboard.py runs it without, into a clean venv, and
# serves the dashboard from that venv, so the image's install steps are tested on machines without a Docker engine.
#
#   docker/install-dashboard.sh [--container] SOURCE_DIR VENV_DIR
#
# --container also prepares the image around the venv: git (the git loader runs it), the unprivileged user
# `flowgauge` (uid 10001) and the /data and /config folders it owns, which the image declares as volumes.
set -eu

container=false
cache=""
if [ "${1:-}" = "--container" ]; then
    container=true
    cache="--no-cache-dir"  # the image keeps no pip cache; elsewhere the machine's cache saves the downloads
    shift
fi
if [ "$#" -ne 2 ]; then
    echo "usage: $0 [--container] SOURCE_DIR VENV_DIR" >&2
    exit 2
fi
source_dir=$1
venv_dir=$2

if [ "$container" = true ]; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends git >/dev/null
    rm -rf /var/lib/apt/lists/*
fi

python3 -m venv "$venv_dir"
# A regular (not editable) install: the package, its SQL and TOML files and the dashboard's pages are copied from
# the wheel, so the venv needs nothing from the source tree once this is done.
"$venv_dir/bin/pip" install --quiet --disable-pip-version-check $cache \
    -c "$source_dir/requirements.lock" "$source_dir"
"$venv_dir/bin/flowgauge" --version

if [ "$container" = true ]; then
    useradd --system --uid 10001 --user-group --create-home --home-dir /home/flowgauge flowgauge
    mkdir -p /data /config
    chown flowgauge:flowgauge /data
fi
