// Package consumer applies order events. (distlint example: poison-message-go fires on the
// return in the decode-error branch.)
package consumer

import (
	"context"
	"encoding/json"

	"github.com/segmentio/kafka-go"
)

type OrderEvent struct {
	ID    string `json:"id"`
	Total int64  `json:"total"`
}

func Run(ctx context.Context, r *kafka.Reader, apply func(OrderEvent) error) error {
	for {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			return err
		}
		var evt OrderEvent
		if err := json.Unmarshal(m.Value, &evt); err != nil {
			return err
		}
		if err := apply(evt); err != nil {
			return err
		}
		if err := r.CommitMessages(ctx, m); err != nil {
			return err
		}
	}
}
