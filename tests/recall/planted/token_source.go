// Package auth caches the OAuth2 client-credentials token used for calls to partner APIs.
package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Token is an access token and its expiry.
type Token struct {
	AccessToken string    `json:"access_token"`
	ExpiresIn   int       `json:"expires_in"`
	obtained    time.Time `json:"-"`
}

func (t *Token) valid(skew time.Duration) bool {
	if t == nil || t.AccessToken == "" {
		return false
	}
	return time.Since(t.obtained) < time.Duration(t.ExpiresIn)*time.Second-skew
}

// TokenSource hands out a cached token, refreshing it shortly before it expires.
type TokenSource struct {
	tokenURL     string
	clientID     string
	clientSecret string
	scope        string
	httpClient   *http.Client

	mu     sync.Mutex
	cached *Token
}

// NewTokenSource returns a source for the given client credentials.
func NewTokenSource(tokenURL, clientID, clientSecret, scope string) *TokenSource {
	return &TokenSource{
		tokenURL:     tokenURL,
		clientID:     clientID,
		clientSecret: clientSecret,
		scope:        scope,
		httpClient:   &http.Client{Timeout: 20 * time.Second},
	}
}

// Token returns a valid access token, fetching a new one when needed.
func (s *TokenSource) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	if s.cached.valid(30 * time.Second) {
		return s.cached.AccessToken, nil
	}
	tok, err := s.fetch(ctx)
	if err != nil {
		return "", err
	}
	s.cached = tok
	return tok.AccessToken, nil
}

func (s *TokenSource) fetch(ctx context.Context) (*Token, error) {
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {s.clientID},
		"client_secret": {s.clientSecret},
		"scope":         {s.scope},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")

	resp, err := s.httpClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("token request: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("token endpoint: status %d", resp.StatusCode)
	}
	var tok Token
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		return nil, fmt.Errorf("decode token: %w", err)
	}
	tok.obtained = time.Now()
	return &tok, nil
}

// Invalidate drops the cached token after a 401 from a partner API.
func (s *TokenSource) Invalidate() {
	s.mu.Lock()
	s.cached = nil
	s.mu.Unlock()
}
