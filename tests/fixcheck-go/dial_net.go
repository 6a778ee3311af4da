// Fixture for the Go fix check: net.Dial → net.DialTimeout with the time import already present.
package main

import (
	"fmt"
	"net"
	"time"
)

func main() {
	start := time.Now()
	conn, err := net.Dial("tcp", "127.0.0.1:1")
	if err == nil {
		conn.Close()
	}
	fmt.Println(err, time.Since(start) >= 0)
}
