#!/usr/bin/env bash
# Publish the community site on a VPS with nginx: update the data, check it,
# build into the folder nginx serves. Run as the `portal` user (it owns the
# checkout /srv/community and /var/www/community), by hand or from cron:
#   sudo -u portal /srv/community/deploy/publish.sh
# The build swaps the new site in only when it succeeded; portal-headers.path
# (deploy/systemd/) then refreshes nginx's security headers and restarts the endpoint.
set -euo pipefail
REPO=${REPO:-/srv/community}
OUT=${OUT:-/var/www/community/site}
cd "$REPO"
git pull --ff-only
# PORTAL_SECRET: the same signing key as in /etc/community-portal/endpoint.env
# (or leave it unset: the build then uses .portal-secret next to data/).
.venv/bin/portal build --out "$OUT"
