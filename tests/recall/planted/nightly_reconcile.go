// Package reconcile runs the nightly ledger reconciliation on exactly one replica.
package reconcile

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

const lockKey = "locks:nightly-reconcile"

// Ledger is the store being reconciled.
type Ledger interface {
	UnsettledBefore(ctx context.Context, cutoff time.Time) ([]string, error)
	Settle(ctx context.Context, entryID string) error
}

// Job reconciles unsettled ledger entries.
type Job struct {
	rdb      *redis.Client
	ledger   Ledger
	identity string
	lockTTL  time.Duration
	logger   *slog.Logger
}

// NewJob returns a job that holds the lock for at most lockTTL.
func NewJob(rdb *redis.Client, ledger Ledger, identity string, logger *slog.Logger) *Job {
	return &Job{rdb: rdb, ledger: ledger, identity: identity, lockTTL: 10 * time.Minute, logger: logger}
}

var errLocked = errors.New("reconcile: another replica holds the lock")

func (j *Job) acquire(ctx context.Context) error {
	ok, err := j.rdb.SetNX(ctx, lockKey, j.identity, j.lockTTL).Result()
	if err != nil {
		return fmt.Errorf("acquire lock: %w", err)
	}
	if !ok {
		return errLocked
	}
	return nil
}

func (j *Job) release(ctx context.Context) {
	script := redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)
	if err := script.Run(ctx, j.rdb, []string{lockKey}, j.identity).Err(); err != nil {
		j.logger.Warn("release lock", "err", err)
	}
}

// Run settles every entry older than a day. It returns errLocked when another replica runs.
func (j *Job) Run(ctx context.Context) error {
	if err := j.acquire(ctx); err != nil {
		return err
	}
	defer j.release(context.WithoutCancel(ctx))

	entries, err := j.ledger.UnsettledBefore(ctx, time.Now().Add(-24*time.Hour))
	if err != nil {
		return fmt.Errorf("list unsettled: %w", err)
	}
	settled := 0
	for _, id := range entries {
		if err := j.ledger.Settle(ctx, id); err != nil {
			j.logger.Error("settle failed", "entry", id, "err", err)
			continue
		}
		settled++
	}
	j.logger.Info("reconciliation finished", "settled", settled, "of", len(entries))
	return nil
}

// Schedule runs the job every day at hour (UTC) until ctx is cancelled.
func (j *Job) Schedule(ctx context.Context, hour int) {
	for {
		now := time.Now().UTC()
		next := time.Date(now.Year(), now.Month(), now.Day(), hour, 0, 0, 0, time.UTC)
		if !next.After(now) {
			next = next.Add(24 * time.Hour)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(next)):
		}
		if err := j.Run(ctx); err != nil && !errors.Is(err, errLocked) {
			j.logger.Error("reconciliation failed", "err", err)
		}
	}
}
