// Fixture for the Go fix check: "Add a timeout" on http.Client literals (time import missing).
package main

import (
	"fmt"
	"io"
	"net/http"
)

var shared = &http.Client{}

func newClient(tr http.RoundTripper) *http.Client {
	_ = tr
	return &http.Client{
		Transport: http.DefaultTransport,
	}
}

func main() {
	resp, err := shared.Get("http://127.0.0.1:1/")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = newClient(nil)
}
