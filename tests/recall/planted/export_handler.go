// Package export serves bulk invoice exports for the accounting UI.
package export

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// InvoiceStore loads one invoice's rendered PDF from the document service.
type InvoiceStore interface {
	Render(ctx context.Context, invoiceID string) ([]byte, error)
}

// Archive collects rendered documents into a zip.
type Archive interface {
	Add(name string, body []byte) error
	Close() (url string, err error)
}

// ArchiveFactory creates an archive in object storage.
type ArchiveFactory func(ctx context.Context, owner string) (Archive, error)

type exportRequest struct {
	Owner      string   `json:"owner"`
	InvoiceIDs []string `json:"invoice_ids"`
}

type exportResponse struct {
	URL     string   `json:"url"`
	Missing []string `json:"missing,omitempty"`
}

// Handler renders every requested invoice and returns a link to the archive.
type Handler struct {
	Store      InvoiceStore
	NewArchive ArchiveFactory
	Logger     *slog.Logger
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req exportRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<20))
	if err := dec.Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if req.Owner == "" || len(req.InvoiceIDs) == 0 {
		http.Error(w, "owner and invoice_ids are required", http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Minute)
	defer cancel()

	resp, err := h.export(ctx, req)
	if err != nil {
		h.Logger.Error("export failed", "owner", req.Owner, "err", err)
		http.Error(w, "export failed", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

type rendered struct {
	id   string
	body []byte
	err  error
}

func (h *Handler) export(ctx context.Context, req exportRequest) (*exportResponse, error) {
	archive, err := h.NewArchive(ctx, req.Owner)
	if err != nil {
		return nil, fmt.Errorf("create archive: %w", err)
	}

	ids := req.InvoiceIDs
	results := make(chan rendered, len(ids))
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			body, err := h.Store.Render(ctx, id)
			results <- rendered{id: id, body: body, err: err}
		}(id)
	}
	wg.Wait()
	close(results)

	resp := &exportResponse{}
	for res := range results {
		if res.err != nil {
			h.Logger.Warn("render failed", "invoice", res.id, "err", res.err)
			resp.Missing = append(resp.Missing, res.id)
			continue
		}
		if err := archive.Add(res.id+".pdf", res.body); err != nil {
			return nil, fmt.Errorf("add %s: %w", res.id, err)
		}
	}
	url, err := archive.Close()
	if err != nil {
		return nil, fmt.Errorf("close archive: %w", err)
	}
	resp.URL = url
	return resp, nil
}
