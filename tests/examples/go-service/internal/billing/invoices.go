// Package billing recalculates invoices under a Redis lock. (distlint example: lock-fencing-go
// fires on the SetNX lock; clock-ordering-go on the wall-clock version.)
package billing

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

var errLocked = errors.New("invoice is being recalculated")

type Invoices struct {
	rdb   *redis.Client
	db    *sql.DB
	owner string
}

type Invoice struct {
	ID      string
	Total   int64
	Version int64
}

func (s *Invoices) Recalculate(ctx context.Context, id string, total int64) error {
	key := "lock:invoice:" + id
	ok, err := s.rdb.SetNX(ctx, key, s.owner, 30*time.Second).Result()
	if err != nil {
		return err
	}
	if !ok {
		return errLocked
	}
	defer s.rdb.Del(ctx, key)

	inv := Invoice{ID: id, Total: total, Version: time.Now().UnixNano()}
	_, err = s.db.ExecContext(ctx,
		`UPDATE invoices SET total = $1, version = $2 WHERE id = $3 AND version < $2`,
		inv.Total, inv.Version, inv.ID)
	return err
}
