// Package geo resolves shipping addresses to delivery zones via the maps provider.
package geo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Zone is a delivery zone.
type Zone struct {
	ID        string `json:"zone_id"`
	Name      string `json:"name"`
	Surcharge int64  `json:"surcharge_cents"`
}

// Address is what the checkout form collects.
type Address struct {
	Street  string
	City    string
	Postal  string
	Country string
}

func (a Address) key() string {
	return a.Country + "|" + a.Postal + "|" + a.City + "|" + a.Street
}

func (a Address) validate() error {
	switch {
	case a.Country == "":
		return fmt.Errorf("geo: country is required")
	case a.Postal == "" && a.City == "":
		return fmt.Errorf("geo: postal code or city is required")
	case len(a.Street) > 200:
		return fmt.Errorf("geo: street too long")
	}
	return nil
}

// Resolver looks up zones.
type Resolver struct {
	baseURL string
	apiKey  string
	client  *http.Client
}

// NewResolver builds a resolver against the maps provider.
func NewResolver(baseURL, apiKey string) *Resolver {
	return &Resolver{
		baseURL: baseURL,
		apiKey:  apiKey,
		client:  &http.Client{Timeout: 30 * time.Second},
	}
}

// ZoneFor returns the delivery zone of addr. It is called on the checkout path, so it
// must respect the request's deadline.
func (r *Resolver) ZoneFor(ctx context.Context, addr Address) (Zone, error) {
	if err := addr.validate(); err != nil {
		return Zone{}, err
	}

	lookupCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	z, err := r.lookup(lookupCtx, addr)
	if err != nil {
		return Zone{}, fmt.Errorf("zone for %s: %w", addr.key(), err)
	}
	return z, nil
}

func (r *Resolver) lookup(ctx context.Context, addr Address) (Zone, error) {
	q := url.Values{
		"street":  {addr.Street},
		"city":    {addr.City},
		"postal":  {addr.Postal},
		"country": {addr.Country},
		"key":     {r.apiKey},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.baseURL+"/v2/zones?"+q.Encode(), nil)
	if err != nil {
		return Zone{}, err
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return Zone{}, fmt.Errorf("zone lookup: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return Zone{}, fmt.Errorf("no delivery zone for %s %s", addr.Postal, addr.Country)
	}
	if resp.StatusCode != http.StatusOK {
		return Zone{}, fmt.Errorf("zone lookup: status %d", resp.StatusCode)
	}
	var z Zone
	if err := json.NewDecoder(resp.Body).Decode(&z); err != nil {
		return Zone{}, fmt.Errorf("decode zone: %w", err)
	}
	return z, nil
}
