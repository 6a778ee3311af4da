// Fixture for the Go fix check: a key generated inside the retry loop is moved before it.
package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
)

func send(ctx context.Context, c *http.Client, u string) error {
	for attempt := 0; attempt < 3; attempt++ {
		key := uuid.NewString()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Idempotency-Key", key)
		resp, err := c.Do(req)
		if err == nil {
			return resp.Body.Close()
		}
		time.Sleep(time.Duration(attempt+1) * 100 * time.Millisecond)
	}
	return fmt.Errorf("gave up")
}

func main() {
	fmt.Println(send(context.Background(), &http.Client{Timeout: time.Second}, "http://127.0.0.1:1/"))
}
