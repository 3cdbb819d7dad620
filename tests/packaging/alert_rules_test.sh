#!/usr/bin/env bash
# packaging/monitoring/alerts.yml under Prometheus's own tool: the rules parse (`promtool check rules`)
# and fire exactly on the series in alerts_test.yml (`promtool test rules`). Which metrics the rules name
# is checked against a live scrape by onchain.daemon. Exit 77 (skipped) when promtool is missing
# (Debian package `prometheus`, installed by scripts/bootstrap.sh).
set -euo pipefail
src=${1:?usage: alert_rules_test.sh SOURCE_DIR}
command -v promtool >/dev/null 2>&1 || { echo "alert_rules_test: promtool not found (Debian package prometheus)"; exit 77; }
cd "$src/packaging/monitoring"
promtool check rules alerts.yml
promtool test rules alerts_test.yml
