// Package payments is the checkout service's client for the payment provider.
package payments

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"net/http"
	"time"
)

// ChargeRequest is the body of POST /v1/charges.
type ChargeRequest struct {
	OrderID     string `json:"order_id"`
	AmountCents int64  `json:"amount_cents"`
	Currency    string `json:"currency"`
	CustomerID  string `json:"customer_id"`
}

// Charge is the provider's answer.
type Charge struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// Client talks to the payment provider.
type Client struct {
	baseURL     string
	apiKey      string
	http        *http.Client
	maxAttempts int
	logger      *slog.Logger
}

// New builds a client with sane defaults.
func New(baseURL, apiKey string, logger *slog.Logger) *Client {
	return &Client{
		baseURL:     baseURL,
		apiKey:      apiKey,
		http:        &http.Client{Timeout: 10 * time.Second},
		maxAttempts: 4,
		logger:      logger,
	}
}

var errRetryable = errors.New("retryable provider error")

func (c *Client) newChargeRequest(ctx context.Context, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+"/v1/charges", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.apiKey)
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}

// Charge creates a charge for an order, retrying transient failures.
func (c *Client) Charge(ctx context.Context, in ChargeRequest) (*Charge, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("encode charge: %w", err)
	}

	var lastErr error
	backoff := 200 * time.Millisecond
	for attempt := 1; attempt <= c.maxAttempts; attempt++ {
		req, err := c.newChargeRequest(ctx, body)
		if err != nil {
			return nil, err
		}
		charge, err := c.do(req)
		if err == nil {
			return charge, nil
		}
		lastErr = err
		if !errors.Is(err, errRetryable) {
			return nil, err
		}
		c.logger.Warn("charge failed, retrying", "order", in.OrderID, "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(backoff + time.Duration(rand.Int63n(int64(backoff)))):
		}
		backoff *= 2
	}
	return nil, fmt.Errorf("charge %s: giving up after %d attempts: %w", in.OrderID, c.maxAttempts, lastErr)
}

func (c *Client) do(req *http.Request) (*Charge, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		// Timeouts and resets: the provider may or may not have seen the request.
		return nil, fmt.Errorf("%w: %v", errRetryable, err)
	}
	defer resp.Body.Close()

	payload, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("%w: read body: %v", errRetryable, err)
	}
	switch {
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return nil, fmt.Errorf("%w: status %d", errRetryable, resp.StatusCode)
	case resp.StatusCode >= 400:
		return nil, fmt.Errorf("provider rejected charge: status %d: %s", resp.StatusCode, payload)
	}

	var out Charge
	if err := json.Unmarshal(payload, &out); err != nil {
		return nil, fmt.Errorf("decode charge: %w", err)
	}
	return &out, nil
}
