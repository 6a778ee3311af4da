// Package orders implements order placement for the storefront.
package orders

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"
)

// ErrEmptyCart is returned for an order with no lines.
var ErrEmptyCart = errors.New("orders: cart is empty")

// Line is one item in an order.
type Line struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
	Cents    int64  `json:"cents"`
}

// Placed is the event other services consume.
type Placed struct {
	OrderID    string    `json:"order_id"`
	CustomerID string    `json:"customer_id"`
	TotalCents int64     `json:"total_cents"`
	Lines      []Line    `json:"lines"`
	PlacedAt   time.Time `json:"placed_at"`
}

// Service places orders.
type Service struct {
	db     *sql.DB
	events *kafka.Writer
}

// NewService wires the service to its database and the "orders" topic writer.
func NewService(db *sql.DB, events *kafka.Writer) *Service {
	return &Service{db: db, events: events}
}

// Place stores the order and tells the rest of the system about it.
func (s *Service) Place(ctx context.Context, customerID string, lines []Line) (string, error) {
	if len(lines) == 0 {
		return "", ErrEmptyCart
	}
	var total int64
	for _, l := range lines {
		total += l.Cents * int64(l.Quantity)
	}
	orderID := uuid.NewString()

	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()

	if _, err := tx.ExecContext(ctx,
		`INSERT INTO orders (id, customer_id, total_cents, status) VALUES ($1, $2, $3, 'placed')`,
		orderID, customerID, total); err != nil {
		return "", fmt.Errorf("insert order: %w", err)
	}
	for _, l := range lines {
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO order_lines (order_id, sku, quantity, cents) VALUES ($1, $2, $3, $4)`,
			orderID, l.SKU, l.Quantity, l.Cents); err != nil {
			return "", fmt.Errorf("insert line %s: %w", l.SKU, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return "", fmt.Errorf("commit: %w", err)
	}

	evt := Placed{
		OrderID:    orderID,
		CustomerID: customerID,
		TotalCents: total,
		Lines:      lines,
		PlacedAt:   time.Now().UTC(),
	}
	payload, err := json.Marshal(evt)
	if err != nil {
		return "", fmt.Errorf("encode event: %w", err)
	}
	msg := kafka.Message{Key: []byte(orderID), Value: payload}
	if err := s.events.WriteMessages(ctx, msg); err != nil {
		return "", fmt.Errorf("publish order placed: %w", err)
	}
	return orderID, nil
}

// Cancel marks an order cancelled if it has not shipped.
func (s *Service) Cancel(ctx context.Context, orderID string) error {
	res, err := s.db.ExecContext(ctx,
		`UPDATE orders SET status = 'cancelled' WHERE id = $1 AND status = 'placed'`, orderID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("order %s cannot be cancelled", orderID)
	}
	return nil
}
