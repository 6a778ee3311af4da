// Fixture for the Go fix check: "Add an idempotency key" with github.com/google/uuid imported.
package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
)

var requestID = uuid.New()

func charge(ctx context.Context, c *http.Client, u string, body []byte) error {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		req, rerr := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
		if rerr != nil {
			return rerr
		}
		var resp *http.Response
		resp, err = c.Do(req)
		if err == nil {
			return resp.Body.Close()
		}
		time.Sleep(time.Duration(attempt+1) * 100 * time.Millisecond)
	}
	return err
}

func main() {
	fmt.Println(requestID, charge(context.Background(), &http.Client{Timeout: time.Second}, "http://127.0.0.1:1/", nil))
}
