// Package notify sends order notifications to subscribers.
package notify

import (
	"context"
	"net"
	"net/http"
	"strings"
	"time"
)

// Event is an order event.
type Event struct{ OrderID, Kind string }

// events buffers notifications: a million slots is an unbounded queue that crashes later.
var events = make(chan Event, 1_000_000)

// Publish queues an event for delivery.
func Publish(e Event) { events <- e }

// Deliver posts e to every webhook URL the customer registered — one goroutine per URL, with
// no limit on how many run at once.
func Deliver(ctx context.Context, hooks []string, e Event) {
	client := &http.Client{Timeout: 10 * time.Second}
	for _, hook := range hooks {
		go func(u string) {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(e.OrderID))
			if err != nil {
				return
			}
			if resp, err := client.Do(req); err == nil {
				resp.Body.Close()
			}
		}(hook)
	}
}

// Syslog opens a connection to the central syslog relay. net.Dial has no timeout: a black-holed
// relay blocks this call for the kernel's connect timeout (about two minutes).
func Syslog(relay string) (net.Conn, error) {
	return net.Dial("tcp", relay)
}
