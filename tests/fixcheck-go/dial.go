// Fixture for the Go fix check: "Add a timeout" on net.Dial and tls.Dial (net and time imports
// missing for the TLS rewrite).
package main

import (
	"crypto/tls"
	"fmt"
)

func connect(addr string) error {
	conn, err := tls.Dial("tcp", addr, &tls.Config{MinVersion: tls.VersionTLS12})
	if err != nil {
		return err
	}
	return conn.Close()
}

func main() {
	fmt.Println(connect("127.0.0.1:1"))
}
