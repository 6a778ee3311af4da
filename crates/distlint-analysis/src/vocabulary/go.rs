//! Go word lists and API tables (see the [module docs](super)).

/// Import paths (or their parents) of message-broker clients: Kafka (kafka-go, sarama, confluent,
/// franz-go), NATS, AMQP, Pub/Sub and Redis, for `discarded-network-error-go`.
pub const BROKER_IMPORTS: &[&str] = &[
    "github.com/segmentio/kafka-go",
    "github.com/Shopify/sarama",
    "github.com/IBM/sarama",
    "github.com/nats-io/nats.go",
    "github.com/nats-io/go-nats",
    "github.com/rabbitmq/amqp091-go",
    "github.com/streadway/amqp",
    "github.com/confluentinc/confluent-kafka-go",
    "github.com/twmb/franz-go",
    "cloud.google.com/go/pubsub",
    "github.com/redis/go-redis",
    "github.com/go-redis/redis",
];

/// [`BROKER_IMPORTS`] plus the gopkg.in confluent-kafka-go path and the AWS SNS/SQS clients (SDK v1
/// and v2), for `dual-write-go`.
pub const BROKER_IMPORTS_WITH_SNS_SQS: &[&str] = &[
    "github.com/segmentio/kafka-go",
    "github.com/Shopify/sarama",
    "github.com/IBM/sarama",
    "github.com/nats-io/nats.go",
    "github.com/nats-io/go-nats",
    "github.com/rabbitmq/amqp091-go",
    "github.com/streadway/amqp",
    "github.com/confluentinc/confluent-kafka-go",
    "gopkg.in/confluentinc/confluent-kafka-go.v1",
    "github.com/twmb/franz-go",
    "cloud.google.com/go/pubsub",
    "github.com/aws/aws-sdk-go-v2/service/sns",
    "github.com/aws/aws-sdk-go-v2/service/sqs",
    "github.com/aws/aws-sdk-go/service/sns",
    "github.com/aws/aws-sdk-go/service/sqs",
    "github.com/redis/go-redis",
    "github.com/go-redis/redis",
];

/// [`BROKER_IMPORTS`] without franz-go and Redis: the broker clients whose consumers
/// `strict-decode-go` knows.
pub const CONSUMER_BROKER_IMPORTS: &[&str] = &[
    "github.com/segmentio/kafka-go",
    "github.com/Shopify/sarama",
    "github.com/IBM/sarama",
    "github.com/nats-io/nats.go",
    "github.com/nats-io/go-nats",
    "github.com/rabbitmq/amqp091-go",
    "github.com/streadway/amqp",
    "github.com/confluentinc/confluent-kafka-go",
    "cloud.google.com/go/pubsub",
];

/// Import paths of segmentio/kafka-go.
pub const KAFKA_GO_IMPORTS: &[&str] = &["github.com/segmentio/kafka-go"];

/// Import paths of sarama (Shopify, then IBM).
pub const SARAMA_IMPORTS: &[&str] = &["github.com/Shopify/sarama", "github.com/IBM/sarama"];

/// Import paths of the RabbitMQ AMQP clients (amqp091-go, streadway/amqp).
pub const AMQP_IMPORTS: &[&str] = &[
    "github.com/rabbitmq/amqp091-go",
    "github.com/streadway/amqp",
];

/// Import paths of the NATS client (nats.go, the older go-nats).
pub const NATS_IMPORTS: &[&str] = &["github.com/nats-io/nats.go", "github.com/nats-io/go-nats"];

/// Method names that send to a broker (`WriteMessages`, `SendMessage`, `Publish`, ...), in a file
/// importing a broker client.
pub const BROKER_SEND_METHODS: &[&str] = &[
    "WriteMessages",
    "SendMessage",
    "SendMessages",
    "Publish",
    "PublishWithContext",
    "PublishMsg",
    "Produce",
];

/// Method names that publish a message (`WriteMessages`, `Publish`, `PublishMsg`, `Produce`, ...),
/// for `dual-write-go`.
pub const PUBLISH_METHODS: &[&str] = &[
    "WriteMessages",
    "Publish",
    "PublishWithContext",
    "PublishMsg",
    "PublishAsync",
    "PublishMsgAsync",
    "SendMessage",
    "SendMessages",
    "Produce",
];

/// Broker client methods that wait on the network (`WriteMessages`, `ReadMessage`, `FetchMessage`,
/// ...), for `mutex-held-across-io-go`.
pub const BROKER_IO_METHODS: &[&str] = &[
    "WriteMessages",
    "ReadMessage",
    "FetchMessage",
    "CommitMessages",
    "SendMessage",
    "SendMessages",
    "PublishWithContext",
];

/// Words of a receiver name that make it an HTTP client (`client`, `http`, `cli`, `httpclient`,
/// `hc`).
pub const HTTP_CLIENT_NAME_WORDS: &[&str] = &["client", "http", "cli", "httpclient", "hc"];

/// Go call names recorded by the lifecycle-calls fact (server and signal lifecycle: `Shutdown`,
/// `GracefulStop`, `Close`, `Notify`, `NotifyContext`, `NewServer`).
pub const LIFECYCLE_CALLS: &[&str] = &[
    "Shutdown",
    "GracefulStop",
    "Close",
    "Notify",
    "NotifyContext",
    "NewServer",
];

/// Import paths (or their parents) of cache clients: go-redis (both paths) and gomemcache.
pub const CACHE_IMPORTS: &[&str] = &[
    "github.com/redis/go-redis",
    "github.com/go-redis/redis",
    "github.com/bradfitz/gomemcache/memcache",
];

/// Cache client methods that store a value (`Set`, `SetEx`, `SetEX`, `SetXX`).
pub const CACHE_SET_METHODS: &[&str] = &["Set", "SetEx", "SetEX", "SetXX"];

/// Words of a cached value's name that make it a negative-cache entry (`empty`, `notfound`,
/// `tombstone`, ...).
pub const NEGATIVE_CACHE_WORDS: &[&str] = &[
    "empty",
    "notfound",
    "missing",
    "tombstone",
    "negative",
    "none",
    "nil",
    "null",
    "miss",
    "absent",
    "sentinel",
];

/// Import paths (or their parents) of Redis clients: go-redis (both paths) and redigo (both paths).
pub const REDIS_IMPORTS: &[&str] = &[
    "github.com/redis/go-redis",
    "github.com/go-redis/redis",
    "github.com/gomodule/redigo",
    "github.com/garyburd/redigo",
];

/// Method names of writes to shared storage that a lock holder makes (SQL `Exec`, KV `Put`, Redis
/// `Set`/`HSet`, ORM `Save`/`Create`/`Update`, Mongo `InsertOne`, `WriteFile`, ...), for
/// `lock-fencing-go`.
pub const GUARDED_WRITE_METHODS: &[&str] = &[
    "Exec",
    "ExecContext",
    "NamedExec",
    "NamedExecContext",
    "Put",
    "PutObject",
    "Set",
    "HSet",
    "HMSet",
    "Save",
    "Create",
    "Update",
    "Updates",
    "Insert",
    "InsertOne",
    "InsertMany",
    "UpdateOne",
    "UpdateMany",
    "ReplaceOne",
    "Upsert",
    "WriteFile",
];

/// Whole words of a name that show a fencing token is passed on (`fence`, `token`, `revision`,
/// `epoch`, ...).
pub const FENCING_TOKEN_WORDS: &[&str] = &[
    "fence",
    "fencing",
    "token",
    "revision",
    "rev",
    "epoch",
    "generation",
    "isowner",
];

/// `database/sql`-style methods that wait on the database (`QueryContext`, `ExecContext`, `Query`,
/// `Exec`, ...), for `mutex-held-across-io-go`.
pub const DB_IO_METHODS: &[&str] = &[
    "QueryContext",
    "ExecContext",
    "QueryRowContext",
    "Query",
    "Exec",
    "QueryRow",
    "PrepareContext",
    "BeginTx",
];

/// Last name segments that make a receiver a database transaction (`tx`, `txn`, `transaction`,
/// `dbtx`).
pub const TX_NAMES: &[&str] = &["tx", "txn", "transaction", "dbtx"];

/// Database methods that write or start a transaction (`Exec`, `MustExec`, `NamedExec`, `Begin`,
/// `BeginTx`, ...), for `replication-lag-go`.
pub const DB_WRITE_METHODS: &[&str] = &[
    "Exec",
    "ExecContext",
    "MustExec",
    "MustExecContext",
    "NamedExec",
    "NamedExecContext",
    "Begin",
    "BeginTx",
    "Beginx",
    "BeginTxx",
    "MustBegin",
];

/// Database methods that read (`Query`, `QueryRow`, `Get`, `Select`, ...), for
/// `replication-lag-go`.
pub const DB_READ_METHODS: &[&str] = &[
    "Query",
    "QueryContext",
    "QueryRow",
    "QueryRowContext",
    "Queryx",
    "QueryxContext",
    "QueryRowx",
    "QueryRowxContext",
    "Get",
    "GetContext",
    "Select",
    "SelectContext",
];

/// Words of a receiver name that make it the primary database by themselves (`primary`, `master`,
/// `leader`).
pub const PRIMARY_STRONG: &[&str] = &["primary", "master", "leader"];

/// Words that make a receiver the primary only next to a database word ([`DB_NAME_WORDS`]):
/// `writer`, `write`, `rw`.
pub const PRIMARY_WEAK: &[&str] = &["writer", "write", "rw"];

/// Words of a receiver name that make it a read replica by themselves (`replica`, `slave`,
/// `secondary`, `follower`, ...).
pub const REPLICA_STRONG: &[&str] = &[
    "replica",
    "replicas",
    "slave",
    "slaves",
    "secondary",
    "follower",
    "standby",
];

/// Words that make a receiver a replica only next to a database word ([`DB_NAME_WORDS`]): `reader`,
/// `read`, `ro`, `readonly`.
pub const REPLICA_WEAK: &[&str] = &["reader", "read", "ro", "readonly"];

/// Database words of a receiver name (`db`, `sql`, `conn`, `pool`, ...) that make a weak role word
/// count.
pub const DB_NAME_WORDS: &[&str] = &[
    "db", "sql", "conn", "pool", "database", "dbs", "pg", "mysql",
];

/// `time.Time` methods that turn the wall clock into a number (`Unix`, `UnixNano`, `UnixMilli`,
/// `UnixMicro`).
pub const UNIX_TIME_METHODS: &[&str] = &["Unix", "UnixNano", "UnixMilli", "UnixMicro"];

/// Names that make a destination a version.
pub const VERSION_WORDS: &[&str] = &[
    "version",
    "ver",
    "revision",
    "rev",
    "seq",
    "sequence",
    "generation",
    "epoch",
    "lamport",
];

/// Names that make a comparison a last-write-wins or lease decision on their own.
pub const ORDERING_WORDS: &[&str] = &[
    "version",
    "revision",
    "rev",
    "generation",
    "epoch",
    "updated",
    "modified",
    "lease",
    "lock",
    "leader",
    "owner",
    "holder",
];

/// Expiry words; count only in a lease/lock context.
pub const EXPIRY_PREFIXES: &[&str] = &["expir", "deadline", "until", "ttl"];

/// In the expiry itself, the function name or its receiver type: a lease or lock expiry.
pub const LEASE_WORDS: &[&str] = &[
    "lease", "leases", "lock", "locks", "leader", "owner", "holder", "mutex",
];

/// In the function body: words that mean a lease (not `lock`, which `mu.Lock()` makes common).
pub const LEASE_BODY_WORDS: &[&str] = &["lease", "leases", "leader", "leadership", "holder"];

/// Words that make a value a cluster size.
pub const CLUSTER_SIZE_WORDS: &[&str] = &[
    "peers",
    "peer",
    "members",
    "member",
    "nodes",
    "node",
    "servers",
    "server",
    "voters",
    "voter",
    "replicas",
    "replica",
    "cluster",
    "acceptors",
    "participants",
    "ensemble",
    "quorum",
];

/// Words that make a value a vote count.
pub const VOTE_COUNT_WORDS: &[&str] = &[
    "votes",
    "vote",
    "acks",
    "ack",
    "granted",
    "responses",
    "successes",
    "confirmations",
    "replies",
    "oks",
];

/// Names of collections sized by the deployment (cluster membership, configuration, clients,
/// existing streams), not by the input.
pub const DEPLOYMENT_SIZED_NAMES: &[&str] = &[
    "peer",
    "member",
    "node",
    "server",
    "endpoint",
    "replica",
    "follower",
    "voter",
    "broker",
    "shard",
    "partition",
    "cluster",
    "remote",
    "listener",
    "conn",
    "client",
    "cfg",
    "config",
    "url",
    "addr",
    "watcher",
    "stream",
    "stresser",
    "worker",
    "eps",
];

/// `net/http` package functions that use `http.DefaultClient`, which has no timeout (`Get`, `Post`,
/// `Head`, `PostForm`).
pub const DEFAULT_CLIENT_HELPERS: &[&str] = &["Get", "Post", "Head", "PostForm"];

/// `*http.Client` methods that send a request (`Do`, `Get`, `Post`, `Head`, `PostForm`).
pub const HTTP_CLIENT_METHODS: &[&str] = &["Do", "Get", "Post", "Head", "PostForm"];

/// `http.Server` fields that bound how long reading a request may take (`ReadHeaderTimeout`,
/// `ReadTimeout`).
pub const SERVER_READ_TIMEOUTS: &[&str] = &["ReadHeaderTimeout", "ReadTimeout"];

/// Endings of an HTTP method argument's text that make a request non-idempotent (`"POST"`, `"PUT"`,
/// `"PATCH"` and the `http.Method*` constants).
pub const MUTATING_HTTP_METHODS: &[&str] = &[
    "\"POST\"",
    "\"PUT\"",
    "\"PATCH\"",
    "MethodPost",
    "MethodPut",
    "MethodPatch",
];

/// Import paths of resty (v1, v2, v3).
pub const RESTY_IMPORTS: &[&str] = &[
    "github.com/go-resty/resty",
    "github.com/go-resty/resty/v2",
    "resty.dev/v3",
];

/// Import paths of cenkalti/backoff (unversioned, `/v3`, `/v4`, `/v5`).
pub const CENKALTI_BACKOFF_IMPORTS: &[&str] = &[
    "github.com/cenkalti/backoff",
    "github.com/cenkalti/backoff/v3",
    "github.com/cenkalti/backoff/v4",
    "github.com/cenkalti/backoff/v5",
];

/// Substrings of a `select` case's text (whitespace removed, lower-cased) that make it a stop
/// signal (`done`, `stop`, `quit`, `ctx`, `timeout`, ...).
pub const STOP_CHANNEL_WORDS: &[&str] = &[
    "done", "stop", "quit", "clos", "shutdown", "cancel", "exit", "abort", "kill", "term", "ctx",
    "timeout", "timer", "ticker", "deadline",
];

/// Substrings of a slice or channel name (lower-cased) that make it a work queue (`queue`,
/// `pending`, `backlog`, `inbox`, `outbox`, ...).
pub const QUEUE_NAMES: &[&str] = &[
    "queue", "pending", "backlog", "inbox", "outbox", "jobs", "tasks",
];

/// The clientv3 interfaces embedded in `*clientv3.Client`, each a set of gRPC calls.
pub const ETCD_CLIENT_INTERFACES: &[&str] = &["KV", "Lease", "Cluster", "Maintenance", "Auth"];
