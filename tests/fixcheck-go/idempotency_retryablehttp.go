// Fixture for the Go fix check: "Add an idempotency key" on a request sent through
// go-retryablehttp, whose client retries on its own (no loop in the code). Neither uuid nor a
// key helper is in the file: the fix adds a crypto/rand helper and its imports.
package main

import (
	"bytes"
	"fmt"

	retryablehttp "github.com/hashicorp/go-retryablehttp"
)

func refund(c *retryablehttp.Client, u string, body []byte) error {
	req, err := retryablehttp.NewRequest("POST", u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func main() {
	fmt.Println(refund(retryablehttp.NewClient(), "http://127.0.0.1:1/", nil))
}
