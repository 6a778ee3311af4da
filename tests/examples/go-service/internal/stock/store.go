// Package stock keeps stock levels, cached in memory.
package stock

import (
	"context"
	"database/sql"
	"log"
	"sync"
	"time"
)

// Store caches stock levels read from the database.
type Store struct {
	mu      sync.Mutex
	db      *sql.DB
	levels  map[string]int
	pending []string // SKUs waiting to be refreshed
}

// New returns a store over db.
func New(db *sql.DB) *Store {
	return &Store{db: db, levels: map[string]int{}}
}

// Level returns the stock level of sku, reading through to the database on a miss. The mutex is
// held across the query: one slow query blocks every reader of every SKU.
func (s *Store) Level(ctx context.Context, sku string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n, ok := s.levels[sku]; ok {
		return n, nil
	}
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT qty FROM stock WHERE sku = ?", sku).Scan(&n); err != nil {
		return 0, err
	}
	s.levels[sku] = n
	return n, nil
}

// MarkStale queues sku for a refresh. Nothing bounds the queue.
func (s *Store) MarkStale(sku string) {
	s.mu.Lock()
	s.pending = append(s.pending, sku)
	s.mu.Unlock()
}

// Connect pings the database until it answers — forever, with no way to stop.
func (s *Store) Connect() {
	for {
		err := s.db.Ping()
		if err == nil {
			return
		}
		log.Printf("inventory: database not ready: %v", err)
		time.Sleep(2 * time.Second)
	}
}
