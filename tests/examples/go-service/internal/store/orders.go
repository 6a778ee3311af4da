// Package store writes orders. (distlint example: replication-lag-go, dual-write-go,
// discarded-network-error-go and hot-partition-key-go fire here.)
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
)

type Store struct {
	primary *sql.DB
	replica *sql.DB
	events  *kafka.Writer
	audit   *kafka.Writer
	rdb     *redis.Client
}

type Order struct {
	ID       string `json:"id"`
	Customer string `json:"customer"`
	Total    int64  `json:"total"`
}

func New(primary, replica *sql.DB, w *kafka.Writer, rdb *redis.Client) *Store {
	return &Store{primary: primary, replica: replica, events: w, audit: w, rdb: rdb}
}

func (s *Store) Routes() http.Handler { return http.NewServeMux() }

// Create inserts the order, publishes OrderCreated, and reads the order back for the response.
func (s *Store) Create(ctx context.Context, o Order) (Order, error) {
	tx, err := s.primary.BeginTx(ctx, nil)
	if err != nil {
		return Order{}, err
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO orders (id, customer, total) VALUES ($1, $2, $3)`, o.ID, o.Customer, o.Total); err != nil {
		tx.Rollback()
		return Order{}, err
	}
	if err := tx.Commit(); err != nil {
		return Order{}, err
	}
	payload, _ := json.Marshal(o)
	// Commit, then publish: a crash in between loses the event.
	if err := s.events.WriteMessages(ctx, kafka.Message{Key: []byte(o.ID), Value: payload}); err != nil {
		return Order{}, err
	}
	// Fire-and-forget audit record: the error vanishes, and every record lands on one partition.
	_ = s.audit.WriteMessages(ctx, kafka.Message{Key: []byte("audit"), Value: payload})

	// Read-after-write through the replica: under replication lag this is sql.ErrNoRows.
	var out Order
	row := s.replica.QueryRowContext(ctx, `SELECT id, customer, total FROM orders WHERE id = $1`, o.ID)
	if err := row.Scan(&out.ID, &out.Customer, &out.Total); err != nil {
		return Order{}, err
	}
	return out, nil
}

// Get reads from the replica only: fine, no write precedes it.
func (s *Store) Get(ctx context.Context, id string) (Order, error) {
	var out Order
	err := s.replica.QueryRowContext(ctx, `SELECT id, customer, total FROM orders WHERE id = $1`, id).
		Scan(&out.ID, &out.Customer, &out.Total)
	return out, err
}
