// Package accounts stores customer accounts; writes go to the primary, reads to a replica pool.
package accounts

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Account is a customer account.
type Account struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Plan      string    `json:"plan"`
	CreatedAt time.Time `json:"created_at"`
}

// Store wraps the two connection pools.
type Store struct {
	primary *sql.DB // read-write
	reader  *sql.DB // hot-standby replicas behind a load balancer
}

// NewStore returns a store over the given pools.
func NewStore(primary, reader *sql.DB) *Store {
	return &Store{primary: primary, reader: reader}
}

// ErrNotFound is returned for a missing account.
var ErrNotFound = errors.New("accounts: not found")

func (s *Store) insert(ctx context.Context, email, plan string) (int64, error) {
	var id int64
	err := s.primary.QueryRowContext(ctx,
		`INSERT INTO accounts (email, plan, created_at) VALUES ($1, $2, now()) RETURNING id`,
		email, plan).Scan(&id)
	return id, err
}

// Get loads an account.
func (s *Store) Get(ctx context.Context, id int64) (*Account, error) {
	var a Account
	err := s.reader.QueryRowContext(ctx,
		`SELECT id, email, plan, created_at FROM accounts WHERE id = $1`, id).
		Scan(&a.ID, &a.Email, &a.Plan, &a.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return &a, err
}

// Handler serves POST /accounts.
type Handler struct {
	Store *Store
}

type signupRequest struct {
	Email string `json:"email"`
	Plan  string `json:"plan"`
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req signupRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Email == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if req.Plan == "" {
		req.Plan = "free"
	}
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()

	id, err := h.Store.insert(ctx, req.Email, req.Plan)
	if err != nil {
		http.Error(w, fmt.Sprintf("signup failed: %v", err), http.StatusInternalServerError)
		return
	}
	acct, err := h.Store.Get(ctx, id)
	if err != nil {
		http.Error(w, fmt.Sprintf("load account: %v", err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(acct)
}
