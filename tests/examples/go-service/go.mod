module example.com/orders-service

go 1.21

require (
	github.com/google/uuid v1.6.0
	github.com/redis/go-redis/v9 v9.5.1
	github.com/segmentio/kafka-go v0.4.47
	golang.org/x/sync v0.7.0
)
