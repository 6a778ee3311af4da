// Command inventory-worker applies stock reservations published by the order service.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Reservation is one message on the "inventory.reserve" queue.
type Reservation struct {
	OrderID  string `json:"order_id"`
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

type worker struct {
	db     *sql.DB
	ch     *amqp.Channel
	logger *slog.Logger
}

func (w *worker) decode(d amqp.Delivery) (Reservation, error) {
	var r Reservation
	if err := json.Unmarshal(d.Body, &r); err != nil {
		return Reservation{}, fmt.Errorf("decode reservation %s: %w", d.MessageId, err)
	}
	if r.Quantity <= 0 {
		return Reservation{}, fmt.Errorf("reservation %s: quantity %d", r.OrderID, r.Quantity)
	}
	return r, nil
}

func (w *worker) apply(ctx context.Context, r Reservation) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	res, err := w.db.ExecContext(ctx,
		`UPDATE stock SET reserved = reserved + $1 WHERE sku = $2 AND available - reserved >= $1`,
		r.Quantity, r.SKU)
	if err != nil {
		return fmt.Errorf("reserve %s: %w", r.SKU, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		w.logger.Info("out of stock", "order", r.OrderID, "sku", r.SKU)
	}
	return nil
}

func (w *worker) handle(ctx context.Context, d amqp.Delivery) {
	r, err := w.decode(d)
	if err == nil {
		err = w.apply(ctx, r)
	}
	if err != nil {
		w.logger.Error("reservation failed, requeueing", "msg", d.MessageId, "err", err)
		_ = d.Nack(false, true)
		return
	}
	if err := d.Ack(false); err != nil {
		w.logger.Error("ack failed", "msg", d.MessageId, "err", err)
	}
}

func (w *worker) run(ctx context.Context) error {
	if err := w.ch.Qos(16, 0, false); err != nil {
		return err
	}
	deliveries, err := w.ch.Consume("inventory.reserve", "inventory-worker", false, false, false, false, nil)
	if err != nil {
		return fmt.Errorf("consume: %w", err)
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case d, ok := <-deliveries:
			if !ok {
				return fmt.Errorf("delivery channel closed")
			}
			w.handle(ctx, d)
		}
	}
}

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	db, err := sql.Open("postgres", os.Getenv("DATABASE_URL"))
	if err != nil {
		logger.Error("open db", "err", err)
		os.Exit(1)
	}
	defer db.Close()

	conn, err := amqp.Dial(os.Getenv("AMQP_URL"))
	if err != nil {
		logger.Error("dial broker", "err", err)
		os.Exit(1)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		logger.Error("open channel", "err", err)
		os.Exit(1)
	}

	w := &worker{db: db, ch: ch, logger: logger}
	if err := w.run(ctx); err != nil {
		logger.Error("worker stopped", "err", err)
		os.Exit(1)
	}
}
