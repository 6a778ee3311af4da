// Package reports asks the reporting service to build a PDF and waits for it.
package reports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

// JobStatus is the reporting service's view of a build.
type JobStatus struct {
	ID     string `json:"id"`
	State  string `json:"state"` // queued, running, done, failed
	URL    string `json:"url,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Client talks to the reporting service.
type Client struct {
	base   *url.URL
	http   *http.Client
	poll   time.Duration
	logger *slog.Logger
}

// NewClient returns a client polling every poll interval.
func NewClient(base *url.URL, poll time.Duration, logger *slog.Logger) *Client {
	return &Client{base: base, http: &http.Client{Timeout: 10 * time.Second}, poll: poll, logger: logger}
}

var errTransient = errors.New("transient")

func (c *Client) status(id string) (*JobStatus, error) {
	u := c.base.JoinPath("jobs", id)
	resp, err := c.http.Get(u.String())
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errTransient, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 500 {
		return nil, fmt.Errorf("%w: status %d", errTransient, resp.StatusCode)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("job %s: status %d", id, resp.StatusCode)
	}
	var st JobStatus
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return nil, err
	}
	return &st, nil
}

// Wait blocks until the job is done and returns the report's URL.
func (c *Client) Wait(ctx context.Context, id string) (string, error) {
	ticker := time.NewTicker(c.poll)
	defer ticker.Stop()
	for {
		st, err := c.status(id)
		switch {
		case errors.Is(err, errTransient):
			c.logger.Warn("status check failed, will retry", "job", id, "err", err)
		case err != nil:
			return "", err
		case st.State == "done":
			return st.URL, nil
		case st.State == "failed":
			return "", fmt.Errorf("report %s failed: %s", id, st.Reason)
		default:
			c.logger.Debug("report not ready", "job", id, "state", st.State)
		}
		<-ticker.C
	}
}

// Submit asks for a new report and returns its job id.
func (c *Client) Submit(ctx context.Context, kind string, params map[string]string) (string, error) {
	q := url.Values{"kind": {kind}}
	for k, v := range params {
		q.Set(k, v)
	}
	u := c.base.JoinPath("jobs")
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), nil)
	if err != nil {
		return "", err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("submit report: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return "", fmt.Errorf("submit report: status %d", resp.StatusCode)
	}
	var st JobStatus
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return "", err
	}
	return st.ID, nil
}
