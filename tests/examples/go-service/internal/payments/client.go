// Package payments calls the payment provider.
package payments

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Client charges cards through the provider's HTTP API.
type Client struct {
	base string
	http *http.Client
}

// New returns a client for the provider at base.
func New(base string) *Client {
	// No Timeout: a provider that accepts the connection and never answers hangs Charge forever.
	return &Client{base: base, http: &http.Client{}}
}

// Charge charges cents, retrying transient failures.
func (c *Client) Charge(ctx context.Context, cents int64) error {
	body, err := json.Marshal(map[string]int64{"cents": cents})
	if err != nil {
		return err
	}
	var last error
	for attempt := 0; attempt < 3; attempt++ {
		// POST retried without an idempotency key: a lost response means a double charge.
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/charges", bytes.NewReader(body))
		if err != nil {
			return err
		}
		resp, err := c.http.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 500 {
				return nil
			}
			err = fmt.Errorf("provider: %s", resp.Status)
		}
		last = err
		time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
	}
	return last
}

// Refund asks the provider to refund a charge (the request ignores the caller's context).
func (c *Client) Refund(ctx context.Context, id string) error {
	req, err := http.NewRequest(http.MethodPost, c.base+"/refunds/"+id, nil)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Stream keeps a connection to the provider's event stream, reconnecting forever after a fixed
// one-second wait: every instance reconnects in the same second after a provider restart.
func (c *Client) Stream(addr string, handle func(net.Conn) error) {
	for {
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			time.Sleep(time.Second)
			continue
		}
		_ = handle(conn)
		conn.Close()
	}
}

type authorization struct {
	cents int64
	reply chan string
	errc  chan error
}

// Authorize hands the charge to the authorization worker and waits for its answer — with no
// case for ctx.Done(): if the worker hangs, so does every caller, long after they gave up.
func Authorize(ctx context.Context, work chan<- authorization, cents int64) (string, error) {
	a := authorization{cents: cents, reply: make(chan string, 1), errc: make(chan error, 1)}
	work <- a
	select {
	case code := <-a.reply:
		return code, nil
	case err := <-a.errc:
		return "", err
	}
}
