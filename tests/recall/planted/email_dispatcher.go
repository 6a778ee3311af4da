// Package email queues outgoing transactional email and hands it to the SMTP relay.
package email

import (
	"context"
	"errors"
	"log/slog"
	"net/smtp"
	"sync"
	"time"
)

// Message is one outgoing email.
type Message struct {
	To      string
	Subject string
	Body    string
	Queued  time.Time
}

// Dispatcher accepts messages from request handlers and sends them in the background, so
// handlers never wait on the relay.
type Dispatcher struct {
	relay  string
	from   string
	auth   smtp.Auth
	logger *slog.Logger

	mu      sync.Mutex
	pending []Message
	wake    chan struct{}
}

// NewDispatcher returns a dispatcher for the given relay.
func NewDispatcher(relay, from string, auth smtp.Auth, logger *slog.Logger) *Dispatcher {
	return &Dispatcher{relay: relay, from: from, auth: auth, logger: logger, wake: make(chan struct{}, 1)}
}

// ErrEmptyRecipient rejects a message without a recipient.
var ErrEmptyRecipient = errors.New("email: empty recipient")

// Enqueue schedules a message for delivery and returns immediately.
func (d *Dispatcher) Enqueue(m Message) error {
	if m.To == "" {
		return ErrEmptyRecipient
	}
	m.Queued = time.Now()
	d.mu.Lock()
	d.pending = append(d.pending, m)
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
	return nil
}

func (d *Dispatcher) take() []Message {
	d.mu.Lock()
	defer d.mu.Unlock()
	batch := d.pending
	d.pending = nil
	return batch
}

func (d *Dispatcher) send(m Message) error {
	msg := []byte("To: " + m.To + "\r\nSubject: " + m.Subject + "\r\n\r\n" + m.Body)
	return smtp.SendMail(d.relay, d.auth, d.from, []string{m.To}, msg)
}

// Run delivers queued messages until ctx is cancelled.
func (d *Dispatcher) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-time.After(5 * time.Second):
		}
		for _, m := range d.take() {
			if err := d.send(m); err != nil {
				d.logger.Warn("send failed, requeueing", "to", m.To, "err", err)
				d.mu.Lock()
				d.pending = append(d.pending, m)
				d.mu.Unlock()
				continue
			}
			d.logger.Debug("sent", "to", m.To, "latency", time.Since(m.Queued))
		}
	}
}
