// Package scheduler elects one replica to run the nightly billing jobs.
package scheduler

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// LeaseTTL is how long a holder keeps the lease without renewing it.
const LeaseTTL = 15 * time.Second

// Lease is the row in the leases table.
type Lease struct {
	Name      string
	Holder    string
	ExpiresAt int64 // unix milliseconds
}

// Elector competes for a named lease stored in Postgres.
type Elector struct {
	db       *sql.DB
	name     string
	identity string
	logger   *slog.Logger
}

// NewElector returns an elector for lease name, identified as identity (the pod name).
func NewElector(db *sql.DB, name, identity string, logger *slog.Logger) *Elector {
	return &Elector{db: db, name: name, identity: identity, logger: logger}
}

func (e *Elector) load(ctx context.Context) (*Lease, error) {
	row := e.db.QueryRowContext(ctx,
		`SELECT name, holder, expires_at FROM leases WHERE name = $1`, e.name)
	var l Lease
	if err := row.Scan(&l.Name, &l.Holder, &l.ExpiresAt); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		return nil, err
	}
	return &l, nil
}

// TryAcquire takes the lease if it is free, expired, or already ours.
func (e *Elector) TryAcquire(ctx context.Context) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()

	current, err := e.load(ctx)
	if err != nil {
		return false, fmt.Errorf("load lease: %w", err)
	}
	now := time.Now().UnixMilli()
	if current != nil && current.Holder != e.identity && current.ExpiresAt > now {
		return false, nil
	}

	expires := now + LeaseTTL.Milliseconds()
	res, err := e.db.ExecContext(ctx, `
		INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET holder = $2, expires_at = $3
		WHERE leases.holder = $2 OR leases.expires_at <= $4`,
		e.name, e.identity, expires, now)
	if err != nil {
		return false, fmt.Errorf("write lease: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	return n == 1, nil
}

// RunWhileLeader calls job every interval while this replica holds the lease.
func (e *Elector) RunWhileLeader(ctx context.Context, interval time.Duration, job func(context.Context) error) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		leader, err := e.TryAcquire(ctx)
		if err != nil {
			e.logger.Warn("lease check failed", "err", err)
			continue
		}
		if !leader {
			continue
		}
		if err := job(ctx); err != nil {
			e.logger.Error("job failed", "lease", e.name, "err", err)
		}
	}
}
