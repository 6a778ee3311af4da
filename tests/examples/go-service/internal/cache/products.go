// Package cache fronts the product catalogue with Redis. (distlint example: cache-stampede-go
// fires on the cache-aside read, the constant TTL and the negative entry cached with the hit TTL.)
package cache

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

const productTTL = 10 * time.Minute

type Products struct {
	rdb *redis.Client
	db  *sql.DB
}

func (p *Products) Name(ctx context.Context, id string) (string, error) {
	key := "product:name:" + id
	name, err := p.rdb.Get(ctx, key).Result()
	if errors.Is(err, redis.Nil) {
		err = p.db.QueryRowContext(ctx, `SELECT name FROM products WHERE id = $1`, id).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			p.rdb.Set(ctx, key, "", productTTL)
			return "", nil
		}
		if err != nil {
			return "", err
		}
		p.rdb.Set(ctx, key, name, productTTL)
		return name, nil
	}
	return name, err
}
