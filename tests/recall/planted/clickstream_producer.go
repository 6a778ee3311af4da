// Package clickstream publishes page-view events to Kafka for the analytics pipeline.
package clickstream

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"
)

// PageView is one event.
type PageView struct {
	SessionID string    `json:"session_id"`
	UserID    string    `json:"user_id,omitempty"`
	Path      string    `json:"path"`
	Referrer  string    `json:"referrer,omitempty"`
	At        time.Time `json:"at"`
}

// Producer batches page views onto the "pageviews" topic (48 partitions).
type Producer struct {
	w      *kafka.Writer
	logger *slog.Logger
}

// NewProducer builds a producer with a hash balancer so that one key always lands on one
// partition.
func NewProducer(brokers []string, logger *slog.Logger) *Producer {
	return &Producer{
		w: &kafka.Writer{
			Addr:         kafka.TCP(brokers...),
			Topic:        "pageviews",
			Balancer:     &kafka.Hash{},
			BatchSize:    500,
			BatchTimeout: 50 * time.Millisecond,
			RequiredAcks: kafka.RequireOne,
			Async:        false,
		},
		logger: logger,
	}
}

// bucket groups events per minute so that the downstream job can window them cheaply.
func bucket(t time.Time) string {
	return strconv.FormatInt(t.Truncate(time.Minute).Unix(), 10)
}

// Publish sends a batch of page views.
func (p *Producer) Publish(ctx context.Context, views []PageView) error {
	msgs := make([]kafka.Message, 0, len(views))
	for _, v := range views {
		if v.At.IsZero() {
			v.At = time.Now().UTC()
		}
		body, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode page view: %w", err)
		}
		key := bucket(v.At)
		msgs = append(msgs, kafka.Message{
			Key:   []byte(key),
			Value: body,
			Time:  v.At,
		})
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := p.w.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("publish %d page views: %w", len(msgs), err)
	}
	return nil
}

// Close flushes pending batches.
func (p *Producer) Close() error {
	if err := p.w.Close(); err != nil {
		p.logger.Warn("close writer", "err", err)
		return err
	}
	return nil
}
