// Package audit records security-relevant actions and forwards them to the SIEM topic.
package audit

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/nats-io/nats.go"
)

// Event is one audited action.
type Event struct {
	Actor    string            `json:"actor"`
	Action   string            `json:"action"`
	Target   string            `json:"target"`
	SourceIP string            `json:"source_ip"`
	At       time.Time         `json:"at"`
	Meta     map[string]string `json:"meta,omitempty"`
}

// Publisher sends events on the "audit.events" subject with JetStream persistence.
type Publisher struct {
	js     nats.JetStreamContext
	logger *slog.Logger
}

// NewPublisher wraps a JetStream context.
func NewPublisher(js nats.JetStreamContext, logger *slog.Logger) *Publisher {
	return &Publisher{js: js, logger: logger}
}

// Record publishes the event and waits for the stream's acknowledgement.
func (p *Publisher) Record(ctx context.Context, ev Event) {
	if ev.At.IsZero() {
		ev.At = time.Now().UTC()
	}
	body, err := json.Marshal(ev)
	if err != nil {
		p.logger.Error("encode audit event", "action", ev.Action, "err", err)
		return
	}
	_, _ = p.js.Publish("audit.events", body, nats.Context(ctx))
}

// Middleware records every state-changing request.
func (p *Publisher) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			return
		}
		actor := r.Header.Get("X-Authenticated-User")
		if actor == "" {
			actor = "anonymous"
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 2*time.Second)
		defer cancel()
		p.Record(ctx, Event{
			Actor:    actor,
			Action:   r.Method,
			Target:   r.URL.Path,
			SourceIP: r.RemoteAddr,
			Meta:     map[string]string{"status": http.StatusText(rec.status)},
		})
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}
