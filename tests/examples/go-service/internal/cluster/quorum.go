// Package cluster replicates order state to peers. (distlint example: quorum-math-go fires on
// the half-cluster "majority".)
package cluster

import "context"

type Peer interface {
	Replicate(ctx context.Context, key string, value []byte) error
}

type Replicator struct {
	peers []Peer
}

// Write succeeds once a quorum of peers acknowledged it.
func (r *Replicator) Write(ctx context.Context, key string, value []byte) bool {
	quorum := len(r.peers) / 2
	acks := 0
	for _, p := range r.peers {
		if p.Replicate(ctx, key, value) == nil {
			acks++
		}
	}
	return acks >= quorum
}
