#!/usr/bin/env bash
# Extra Go code bases for the precision trial of the coordination, cache, consumer and write
# rules (docs/precision.md, "Go: coordination, caches, consumers, writes"). The base corpus
# (tests/corpus/go.sh) is mostly client libraries; these Debian `golang-*-dev` source packages
# add servers, clustering and example programs, where application patterns (locks, consumers,
# servers started from main) occur. Installs them with apt and prints each source directory.
# Needs root; run `apt-get update` first on a fresh machine.
set -euo pipefail
pkgs=(
  golang-github-prometheus-alertmanager-dev        # clustering (memberlist), silences, webhooks
  golang-github-nats-io-nats-server-dev            # NATS server: raft, JetStream consumers
  golang-github-minio-dsync-dev                    # distributed locks with quorums
  golang-github-confluentinc-confluent-kafka-go-dev # Kafka client with examples
  golang-github-go-kit-kit-dev                     # microservice toolkit
)
if ! dpkg -s "${pkgs[@]}" >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${pkgs[@]}" >&2
fi
for p in "${pkgs[@]}"; do
  dpkg -L "$p" | grep '\.go$' | grep '^/usr/share/gocode/src/' \
    | awk -F/ '{ print "/usr/share/gocode/src/" $6 "/" $7 "/" $8 }' | sort | uniq -c | sort -rn \
    | awk 'NR == 1 { print $2 }'
done
