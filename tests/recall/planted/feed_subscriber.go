// Package feed keeps a streaming connection to the pricing feed and fans updates out to the cache.
package feed

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync/atomic"
	"time"
)

// Config is read from the service's YAML configuration.
type Config struct {
	Addr          string        `yaml:"addr"`
	DialTimeout   time.Duration `yaml:"dial_timeout"`
	ReadTimeout   time.Duration `yaml:"read_timeout"`
	RetryInterval time.Duration `yaml:"retry_interval"`
}

// Update is one price tick.
type Update struct {
	Symbol string  `json:"symbol"`
	Price  float64 `json:"price"`
	Seq    uint64  `json:"seq"`
}

// Sink receives updates.
type Sink interface {
	Apply(ctx context.Context, u Update) error
}

// Subscriber owns the feed connection.
type Subscriber struct {
	cfg       Config
	sink      Sink
	logger    *slog.Logger
	connected atomic.Bool
	lastSeq   atomic.Uint64
}

// NewSubscriber validates the configuration.
func NewSubscriber(cfg Config, sink Sink, logger *slog.Logger) (*Subscriber, error) {
	if cfg.Addr == "" {
		return nil, errors.New("feed: addr is required")
	}
	if cfg.RetryInterval == 0 {
		cfg.RetryInterval = 2 * time.Second
	}
	if cfg.DialTimeout == 0 {
		cfg.DialTimeout = 3 * time.Second
	}
	return &Subscriber{cfg: cfg, sink: sink, logger: logger}, nil
}

// Run keeps the subscription alive until ctx is cancelled.
func (s *Subscriber) Run(ctx context.Context) error {
	wait := s.cfg.RetryInterval
	for {
		err := s.session(ctx)
		s.connected.Store(false)
		if ctx.Err() != nil {
			return nil
		}
		s.logger.Warn("feed session ended, reconnecting", "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

func (s *Subscriber) session(ctx context.Context) error {
	d := net.Dialer{Timeout: s.cfg.DialTimeout}
	conn, err := d.DialContext(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("dial feed: %w", err)
	}
	defer conn.Close()
	s.connected.Store(true)

	if _, err := fmt.Fprintf(conn, "SUBSCRIBE * FROM %d\n", s.lastSeq.Load()); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	scanner := bufio.NewScanner(conn)
	for {
		if s.cfg.ReadTimeout > 0 {
			_ = conn.SetReadDeadline(time.Now().Add(s.cfg.ReadTimeout))
		}
		if !scanner.Scan() {
			if err := scanner.Err(); err != nil {
				return err
			}
			return errors.New("feed closed the connection")
		}
		var u Update
		if err := json.Unmarshal(scanner.Bytes(), &u); err != nil {
			s.logger.Warn("skipping malformed update", "err", err)
			continue
		}
		if err := s.sink.Apply(ctx, u); err != nil {
			return fmt.Errorf("apply %s: %w", u.Symbol, err)
		}
		s.lastSeq.Store(u.Seq)
	}
}

// Connected reports whether a session is open, for the health endpoint.
func (s *Subscriber) Connected() bool { return s.connected.Load() }
