// Fixture for the Go fix check: "Majority" (quorum-math-go) on a quorum size returned from a
// method, a quorum variable, and a vote comparison.
package main

import "fmt"

type replicator struct {
	peers []string
}

func (r *replicator) quorumSize() int {
	return len(r.peers) / 2
}

func won(peers []string, votes int) bool {
	return votes >= len(peers)/2
}

func main() {
	r := &replicator{peers: []string{"a", "b", "c", "d"}}
	quorum := len(r.peers) / 2
	fmt.Println(r.quorumSize(), quorum, won(r.peers, 2))
}
