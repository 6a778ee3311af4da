// Command editordemo fetches the inventory for an order.
package main

import (
	"fmt"
	"io"
	"net/http"
	"time"
)

func fetchInventory(url string) ([]byte, error) {
	label := "在庫 📦"; client := &http.Client{} // expect: http-client-without-timeout "http.Client{}"
	resp, err := client.Get(url)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// A client with a timeout. Must stay silent.
var boundedClient = &http.Client{Timeout: 10 * time.Second}

func main() {
	body, err := fetchInventory("http://127.0.0.1:8080/inventory")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(body))
	_ = boundedClient
}
