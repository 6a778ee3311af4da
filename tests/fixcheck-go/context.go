// Fixture for the Go fix check: "Pass the caller's context".
package main

import (
	"context"
	"fmt"
	"net/http"
)

func fetch(ctx context.Context, c *http.Client, u string) error {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func lookup(ctx context.Context, f func(context.Context) error) error {
	return f(context.Background())
}

func main() {
	ctx := context.Background()
	fmt.Println(fetch(ctx, http.DefaultClient, "http://127.0.0.1:1/"))
	fmt.Println(lookup(ctx, func(context.Context) error { return nil }))
}
