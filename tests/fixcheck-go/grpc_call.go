// Fixture for the Go fix check: "Add a deadline" on a gRPC stub call.
package main

import (
	"context"
	"fmt"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

func probe(conn *grpc.ClientConn) error {
	c := healthpb.NewHealthClient(conn)
	resp, err := c.Check(context.Background(), &healthpb.HealthCheckRequest{})
	if err != nil {
		return err
	}
	fmt.Println(resp.Status)
	return nil
}

func main() {
	_ = probe
}
