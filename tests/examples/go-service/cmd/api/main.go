// Command api serves the public order API (distlint example for the timeout rules: the server
// has no ReadHeaderTimeout, and a handler drops the request's context).
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/orders-service/internal/payments"
	"example.com/orders-service/internal/stock"
)

type server struct {
	db       *sql.DB
	payments *payments.Client
	stock    *stock.Store
}

type orderRequest struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
	Cents    int64  `json:"cents"`
}

func (s *server) createOrder(w http.ResponseWriter, r *http.Request) {
	var req orderRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	// The client may give up after 2 s, but this insert keeps running: the request's
	// context is dropped.
	if _, err := s.db.ExecContext(context.Background(), "INSERT INTO orders (sku, qty) VALUES (?, ?)", req.SKU, req.Quantity); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if err := s.payments.Charge(r.Context(), req.Cents); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

func main() {
	db, err := sql.Open("postgres", "postgres://orders@127.0.0.1/orders")
	if err != nil {
		log.Fatal(err)
	}
	s := &server{db: db, payments: payments.New("http://127.0.0.1:8081"), stock: stock.New(db)}
	mux := http.NewServeMux()
	mux.HandleFunc("/orders", s.createOrder)
	// No ReadHeaderTimeout: slow clients can hold every connection open (Slowloris).
	srv := &http.Server{Addr: ":8080", Handler: mux}

	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Fatal(err)
		}
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	<-sig
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		log.Printf("shutdown: %v", err)
	}
}
