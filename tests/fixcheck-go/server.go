// Fixture for the Go fix check: "Add a timeout" on servers (ListenAndServe rewrite, literal).
package main

import (
	"log"
	"net"
	"net/http"
)

func serveTLS(l net.Listener, h http.Handler) error {
	return http.ServeTLS(l, h, "cert.pem", "key.pem")
}

func admin() *http.Server {
	return &http.Server{
		Addr:    "127.0.0.1:9090",
		Handler: http.NotFoundHandler(),
	}
}

func main() {
	_ = admin()
	_ = serveTLS
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", nil))
}
