// Package replication ships write-ahead log segments to the standby nodes of a storage group.
package replication

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Segment is a chunk of the write-ahead log.
type Segment struct {
	Group  string
	Offset uint64
	Data   []byte
}

// Node is a member of a storage group.
type Node interface {
	Name() string
	Append(ctx context.Context, s Segment) error
}

// ErrNotDurable is returned when too few nodes stored a segment.
var ErrNotDurable = errors.New("replication: segment not durable")

// Group is a primary and its standbys.
type Group struct {
	name    string
	members []Node // every node of the group, the primary included
	local   Node
	timeout time.Duration
	logger  *slog.Logger
}

// NewGroup builds a group; members must include local.
func NewGroup(name string, local Node, members []Node, logger *slog.Logger) (*Group, error) {
	if len(members) == 0 {
		return nil, fmt.Errorf("group %s has no members", name)
	}
	return &Group{name: name, members: members, local: local, timeout: 2 * time.Second, logger: logger}, nil
}

func (g *Group) majority() int {
	return len(g.members) / 2
}

// Write appends the segment locally, then on the standbys, and returns once a majority of the
// group holds it.
func (g *Group) Write(ctx context.Context, s Segment) error {
	if err := g.local.Append(ctx, s); err != nil {
		return fmt.Errorf("local append: %w", err)
	}

	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()

	var (
		mu    sync.Mutex
		acked = 1 // the local copy
		wg    sync.WaitGroup
	)
	for _, n := range g.members {
		if n == g.local {
			continue
		}
		wg.Add(1)
		go func(n Node) {
			defer wg.Done()
			if err := n.Append(ctx, s); err != nil {
				g.logger.Warn("standby append failed", "node", n.Name(), "offset", s.Offset, "err", err)
				return
			}
			mu.Lock()
			acked++
			mu.Unlock()
		}(n)
	}
	wg.Wait()

	needed := g.majority()
	if acked >= needed {
		return nil
	}
	return fmt.Errorf("%w: %d of %d nodes (group %s, offset %d)", ErrNotDurable, acked, len(g.members), g.name, s.Offset)
}
