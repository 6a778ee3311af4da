#!/usr/bin/env bash
# Installs Debian's Go source packages of the Go corpus and prints each code base's source
# directory, one per line. Needs root (apt-get); run `apt-get update` first on a fresh machine.
set -euo pipefail
pkgs=(
  golang-etcd-server-dev                      # go.etcd.io/etcd: leases, locks, raft, gRPC
  golang-github-hashicorp-raft-dev            # github.com/hashicorp/raft
  golang-github-nats-io-go-nats-dev           # github.com/nats-io/nats.go: consumers, reconnects
  golang-github-segmentio-kafka-go-dev        # github.com/segmentio/kafka-go
  golang-github-shopify-sarama-dev            # github.com/Shopify/sarama
  golang-github-hashicorp-memberlist-dev      # github.com/hashicorp/memberlist: gossip
  golang-github-hashicorp-go-retryablehttp-dev # retries over HTTP
  golang-github-rabbitmq-amqp091-go-dev       # AMQP consumers
  golang-github-hashicorp-serf-dev            # cluster membership
)
if ! dpkg -s "${pkgs[@]}" >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${pkgs[@]}" >&2
fi
for p in "${pkgs[@]}"; do
  # The top-most directory under /usr/share/gocode/src that holds the package's .go files.
  dpkg -L "$p" | grep '\.go$' | grep '^/usr/share/gocode/src/' | awk -F/ '{
    # import path root: host/owner/repo (or go.etcd.io/etcd)
    if ($6 ~ /\./ && $6 != "go.etcd.io") print "/usr/share/gocode/src/" $6 "/" $7 "/" $8; else print "/usr/share/gocode/src/" $6 "/" $7 }' | sort -u | head -1
done
