// Package catalog serves product pages from Redis in front of the catalogue database.
package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Product is what a product page needs.
type Product struct {
	ID          int64    `json:"id"`
	Title       string   `json:"title"`
	PriceCents  int64    `json:"price_cents"`
	ImageURLs   []string `json:"image_urls"`
	Description string   `json:"description"`
}

// ErrNotFound is returned for an unknown product.
var ErrNotFound = errors.New("catalog: product not found")

const productTTL = 10 * time.Minute

// Reader reads products through the cache.
type Reader struct {
	rdb *redis.Client
	db  *sql.DB
}

// NewReader returns a cache-backed reader.
func NewReader(rdb *redis.Client, db *sql.DB) *Reader {
	return &Reader{rdb: rdb, db: db}
}

func cacheKey(id int64) string { return fmt.Sprintf("product:v3:%d", id) }

func (r *Reader) load(ctx context.Context, id int64) (*Product, error) {
	var p Product
	var images string
	err := r.db.QueryRowContext(ctx,
		`SELECT id, title, price_cents, image_urls, description FROM products WHERE id = $1`, id).
		Scan(&p.ID, &p.Title, &p.PriceCents, &images, &p.Description)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(images), &p.ImageURLs); err != nil {
		return nil, fmt.Errorf("product %d images: %w", id, err)
	}
	return &p, nil
}

// Product returns the product, from Redis when possible.
func (r *Reader) Product(ctx context.Context, id int64) (*Product, error) {
	key := cacheKey(id)
	cached, err := r.rdb.Get(ctx, key).Bytes()
	switch {
	case err == nil:
		var p Product
		if jsonErr := json.Unmarshal(cached, &p); jsonErr == nil {
			return &p, nil
		}
	case !errors.Is(err, redis.Nil):
		// Redis is degraded: fall through to the database.
	}

	p, err := r.load(ctx, id)
	if err != nil {
		return nil, err
	}
	if body, err := json.Marshal(p); err == nil {
		r.rdb.Set(ctx, key, body, productTTL)
	}
	return p, nil
}

// Invalidate drops a product after an edit.
func (r *Reader) Invalidate(ctx context.Context, id int64) error {
	return r.rdb.Del(ctx, cacheKey(id)).Err()
}
