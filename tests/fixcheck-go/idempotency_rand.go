// Fixture for the Go fix check: "Add an idempotency key" without uuid: a crypto/rand helper is
// added, imported under an alias because math/rand is already imported as rand.
package main

import (
	"context"
	"fmt"
	"math/rand"
	"net/http"
	"time"
)

func order(ctx context.Context, c *http.Client, u string) error {
	for i := 0; i < 5; i++ {
		req, err := http.NewRequestWithContext(ctx, "PUT", u, nil)
		if err != nil {
			return err
		}
		resp, err := c.Do(req)
		if err == nil {
			return resp.Body.Close()
		}
		time.Sleep(time.Duration(rand.Intn(100)) * time.Millisecond)
	}
	return fmt.Errorf("gave up")
}

func main() {
	fmt.Println(order(context.Background(), &http.Client{Timeout: time.Second}, "http://127.0.0.1:1/"))
}
