// Fixture for the Go fix check: r.Context() in a handler; the context import becomes unused
// and the fix removes it.
package main

import (
	"context"
	"database/sql"
	"net/http"
)

var db *sql.DB

func handle(w http.ResponseWriter, r *http.Request) {
	if _, err := db.ExecContext(context.TODO(), "UPDATE t SET n = n + 1"); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

func main() {
	http.HandleFunc("/", handle)
}
