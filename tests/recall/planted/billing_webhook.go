// Package billing receives subscription webhooks from the payment provider.
package billing

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// SubscriptionEvent is the provider's webhook body. The provider documents that it adds
// fields to events without notice.
type SubscriptionEvent struct {
	ID             string    `json:"id"`
	Type           string    `json:"type"`
	CustomerID     string    `json:"customer_id"`
	Plan           string    `json:"plan"`
	Status         string    `json:"status"`
	CurrentPeriodE time.Time `json:"current_period_end"`
}

// Store applies subscription changes.
type Store interface {
	ApplySubscription(ctx context.Context, ev SubscriptionEvent) error
	SeenEvent(ctx context.Context, id string) (bool, error)
}

// WebhookHandler verifies and applies provider webhooks.
type WebhookHandler struct {
	Store  Store
	Verify func(body []byte, signature string) bool
	Logger *slog.Logger
}

func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytesReader(body))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func (h *WebhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	if !h.Verify(body, r.Header.Get("X-Signature")) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var ev SubscriptionEvent
	if err := decodeStrict(body, &ev); err != nil {
		// A malformed event will never succeed; acknowledge it so the provider stops retrying.
		h.Logger.Warn("dropping undecodable webhook", "err", err)
		w.WriteHeader(http.StatusOK)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	seen, err := h.Store.SeenEvent(ctx, ev.ID)
	if err != nil {
		http.Error(w, "store unavailable", http.StatusServiceUnavailable)
		return
	}
	if seen {
		w.WriteHeader(http.StatusOK)
		return
	}
	if err := h.Store.ApplySubscription(ctx, ev); err != nil {
		h.Logger.Error("apply subscription", "event", ev.ID, "err", err)
		http.Error(w, "apply failed", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

type byteReader struct {
	b []byte
	i int
}

func (r *byteReader) Read(p []byte) (int, error) {
	if r.i >= len(r.b) {
		return 0, io.EOF
	}
	n := copy(p, r.b[r.i:])
	r.i += n
	return n, nil
}

func bytesReader(b []byte) io.Reader { return &byteReader{b: b} }
