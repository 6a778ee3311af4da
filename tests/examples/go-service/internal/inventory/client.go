// Package inventory calls the inventory service. (distlint example: strict-decode-go fires on
// DisallowUnknownFields over another team's response.)
package inventory

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

type Stock struct {
	SKU       string `json:"sku"`
	Available int    `json:"available"`
}

type Client struct {
	http *http.Client
	base string
}

func (c *Client) Stock(ctx context.Context, sku string) (Stock, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/stock/"+sku, nil)
	if err != nil {
		return Stock{}, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return Stock{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Stock{}, fmt.Errorf("inventory: %s", resp.Status)
	}
	dec := json.NewDecoder(resp.Body)
	dec.DisallowUnknownFields()
	var s Stock
	return s, dec.Decode(&s)
}
