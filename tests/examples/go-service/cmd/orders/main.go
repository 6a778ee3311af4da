// Command orders serves the orders API. (distlint example: graceful-shutdown-go fires on the
// ListenAndServe call below: SIGTERM during a deploy cuts in-flight requests.)
package main

import (
	"database/sql"
	"log"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"

	"example.com/orders-service/internal/store"
)

func main() {
	primary, err := sql.Open("postgres", "postgres://orders@db-primary/orders")
	if err != nil {
		log.Fatal(err)
	}
	replica, err := sql.Open("postgres", "postgres://orders@db-replica/orders")
	if err != nil {
		log.Fatal(err)
	}
	w := &kafka.Writer{Addr: kafka.TCP("kafka:9092"), Topic: "orders"}
	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379"})
	s := store.New(primary, replica, w, rdb)

	srv := &http.Server{
		Addr:              ":8080",
		Handler:           s.Routes(),
		ReadHeaderTimeout: 5 * time.Second,
	}
	log.Fatal(srv.ListenAndServe())
}
