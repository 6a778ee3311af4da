//! Rust word lists and API tables (see the [module docs](super)).

/// Crates whose presence in a file's `use` declarations marks it as talking to a message broker.
pub const BROKER_CRATES: &[&str] = &[
    "async_nats",
    "nats",
    "lapin",
    "rdkafka",
    "redis",
    "fe2o3_amqp",
    "amqprs",
];

/// [`BROKER_CRATES`] without `amqprs`: first path segments of `use` declarations that mark a file
/// as publishing to a message broker, for `observability`.
pub const BROKER_CRATES_BUT_AMQPRS: &[&str] = &[
    "async_nats",
    "lapin",
    "rdkafka",
    "redis",
    "nats",
    "fe2o3_amqp",
];

/// [`BROKER_CRATES`] without `redis`: the consumer crates `poison-message` knows (first path
/// segment, resolved through the imports).
pub const CONSUMER_CRATES: &[&str] = &[
    "rdkafka",
    "lapin",
    "async_nats",
    "nats",
    "fe2o3_amqp",
    "amqprs",
];

/// Substrings of a handler or stream name (lower-cased) that make it a message consumer
/// (`consumer`, `subscri`, `deliver`, ...).
pub const CONSUMER_NAME_WORDS: &[&str] = &[
    "consumer", "subscri", "messages", "deliver", "stream", "msgs",
];

/// Method or function names that decode a message payload (`from_slice`, `decode`, `parse`, ...),
/// for `poison-message`.
pub const MESSAGE_DECODE_FNS: &[&str] = &[
    "from_slice",
    "from_str",
    "from_reader",
    "from_utf8",
    "decode",
    "decode_length_delimited",
    "deserialize",
    "parse",
    "payload_view",
    "from_bytes",
    "try_from_slice",
];

/// Substrings of an identifier (lower-cased) that make it a message or its payload (`payload`,
/// `msg`, `body`, ...).
pub const MESSAGE_NAME_WORDS: &[&str] = &[
    "payload", "data", "body", "msg", "message", "delivery", "record", "bytes",
];

/// Words in a handler's code (lower-cased, comments left out) that show a poison message is dealt
/// with: a dead-letter queue (`dlq`, `dead_letter`, `dlx`), a negative acknowledgement (`nack`,
/// `reject`, `AckKind::Term`), a quarantine.
pub const DEAD_LETTER_WORDS: &[&str] = &[
    "dead_letter",
    "deadletter",
    "dead-letter",
    "dlq",
    "dlx",
    "nack",
    "reject",
    "ackkind::term",
    "poison",
    "quarantine",
];

/// Channel constructors whose `let (tx, rx) = ..` pair `broker_fed` follows (last path segment:
/// `tokio::sync::mpsc::channel`, `mpsc::unbounded_channel`, `std::sync::mpsc::sync_channel`,
/// `flume::bounded`, `async_channel::unbounded`, ..).
pub const CHANNEL_CONSTRUCTORS: &[&str] = &[
    "channel",
    "unbounded_channel",
    "sync_channel",
    "bounded",
    "unbounded",
];

/// Sender methods that put a message on a channel, handing it to another task (`send`, `try_send`,
/// `blocking_send`, `unbounded_send`, `send_async`, `send_timeout`).
pub const CHANNEL_SEND_METHODS: &[&str] = &[
    "send",
    "try_send",
    "blocking_send",
    "unbounded_send",
    "send_async",
    "send_timeout",
];

/// Last segments of broker message types (resolved through the imports to one of
/// [`CONSUMER_CRATES`]): rdkafka `OwnedMessage`/`BorrowedMessage`, lapin `Delivery`, async-nats
/// `Message` (core and JetStream).
pub const BROKER_MESSAGE_TYPES: &[&str] =
    &["OwnedMessage", "BorrowedMessage", "Delivery", "Message"];

/// Reply-channel constructors, resolved through the file's `use` declarations.
pub const REPLY_CHANNEL_CONSTRUCTORS: &[&str] = &[
    "tokio::sync::oneshot::channel",
    "futures::channel::oneshot::channel",
    "futures_channel::oneshot::channel",
    "tokio::sync::mpsc::channel",
    "tokio::sync::mpsc::unbounded_channel",
    "futures::channel::mpsc::channel",
    "futures::channel::mpsc::unbounded",
    "futures_channel::mpsc::channel",
    "futures_channel::mpsc::unbounded",
];

/// Substrings of a receiver name (lower-cased) that make it a message publisher (`producer`,
/// `jetstream`, `client`, ...).
pub const PUBLISHER_NAME_WORDS: &[&str] = &[
    "client",
    "nats",
    "jetstream",
    "js",
    "producer",
    "publisher",
    "broker",
    "conn",
    "channel",
    "redis",
    "amqp",
    "kafka",
];

/// Request-builder method names (`post`, `get`, `header`, `json`, `bearer_auth`, ...) that, called
/// with arguments in a chain, make it an outgoing HTTP request, for `observability`.
pub const OUTGOING_REQUEST_METHODS: &[&str] = &[
    "post",
    "put",
    "patch",
    "delete",
    "get",
    "head",
    "request",
    "json",
    "form",
    "body",
    "header",
    "headers",
    "query",
    "bearer_auth",
    "basic_auth",
    "multipart",
];

/// Request-building methods of HTTP clients (`client.get(url)`), for the request-timeouts fact.
pub const HTTP_REQUEST_METHODS: &[&str] =
    &["get", "post", "put", "patch", "delete", "head", "request"];

/// Last path segments of the calls that decode a value from the wire (`serde_json::from_slice`,
/// `bincode::deserialize_from`, ...), for the wire-decodes fact and `schema-evolution`.
pub const WIRE_DECODE_FNS: &[&str] = &[
    "from_slice",
    "from_str",
    "from_reader",
    "from_value",
    "from_bytes",
    "decode",
    "deserialize_from",
    "from_read",
];

/// Last path segments of the web frameworks' body extractor types (`Json<T>`, `Form<T>`).
pub const WIRE_EXTRACTORS: &[&str] = &["Json", "Form"];

/// Serialization crates (first path segment: `serde_json`, `bincode`, `prost`, ...) whose decode
/// calls `schema-evolution` looks at.
pub const WIRE_FORMAT_CRATES: &[&str] = &[
    "serde_json",
    "rmp_serde",
    "bincode",
    "serde_cbor",
    "ciborium",
    "postcard",
    "simd_json",
    "prost",
];

/// Words that make a field name a work queue's (`pending_jobs`): whole `snake_case` words, with or
/// without a plural `s`.
pub const QUEUE_FIELD_WORDS: &[&str] = &[
    "queue", "pending", "backlog", "job", "jobs", "task", "tasks", "work", "inbox", "waiting",
    "request", "requests",
];

/// Words that show an `impl` caps its queue (`capacity`, `is_full`, `truncate`, `max_len`,
/// `limit`), matched lower-cased in code.
pub const QUEUE_LIMIT_SIGNS: &[&str] = &["capacity", "is_full", "truncate", "max_len", "limit"];

/// Last path segments that name some lock type (blocking or not).
pub const LOCK_TYPE_NAMES: &[&str] = &["Mutex", "RwLock", "FairMutex", "ReentrantMutex"];

/// Substrings of a call chain or function name (lower-cased) that make it a distributed lock or
/// lease (`lock`, `mutex`, `leader`, `lease`).
pub const LOCK_NAME_WORDS: &[&str] = &["lock", "mutex", "leader", "lease"];

/// Words in code (lower-cased, comments left out) that show a fencing token is passed on:
/// `fenc...`, `epoch`, `generation`, `revision`, `version`, or a Redis `INCR` counter.
pub const FENCING_TOKEN_WORDS: &[&str] = &[
    "fenc",
    "epoch",
    "generation",
    "revision",
    "version",
    "\"incr\"",
    ".incr(",
    "incr_by",
];

/// Consul: names of the lock's sequencer (`LockIndex`, the key's `ModifyIndex`) and of a
/// check-and-set write (rs-consul `check_and_set: Some(i)`, consulrs `.cas(i)`), compared on code
/// with whitespace removed and lower-cased.
pub const CONSUL_FENCING_WORDS: &[&str] = &[
    "lock_index",
    "lockindex",
    "modify_index",
    "modifyindex",
    "check_and_set",
    ".cas(",
    "cas:some(",
];

/// Method names of writes to shared storage that a lock holder makes (SQL `execute`, document
/// `insert_one`, Redis `set`, object `put_object`, Consul KV `create_or_update_key`, ...), for
/// `lock-fencing`.
pub const GUARDED_WRITE_METHODS: &[&str] = &[
    "execute",
    "insert",
    "insert_one",
    "insert_many",
    "update",
    "update_one",
    "update_many",
    "upsert",
    "save",
    "put",
    "post",
    "patch",
    "write_all",
    "set",
    "set_ex",
    "hset",
    "hset_multiple",
    "put_object",
    // rs-consul KV writes (a write carrying `acquire`/`release` is told apart in `is_write`).
    "create_or_update_key",
    "create_or_update_key_sync",
];

/// Substrings of a pool or handle name (lower-cased) that make it the primary database (`primary`,
/// `writer`, `master`, `write_pool`, ...).
pub const PRIMARY_NAMES: &[&str] = &[
    "primary",
    "writer",
    "master",
    "leader",
    "write_pool",
    "write_db",
    "rw_pool",
    "rw_db",
];

/// Substrings of a pool or handle name (lower-cased) that make it a read replica (`replica`,
/// `reader`, `read_pool`, ...).
pub const REPLICA_NAMES: &[&str] = &[
    "replica",
    "reader",
    "read_pool",
    "read_db",
    "ro_pool",
    "ro_db",
    "readonly",
    "read_only",
    "follower",
    "secondary",
    "standby",
    "slave",
];

/// Method names of database writes (`execute`, `insert_one`, `delete_many`, `batch_execute`, ...),
/// for `replication-lag`: they pin a read-your-write to the primary.
pub const DB_WRITE_METHODS: &[&str] = &[
    "execute",
    "execute_many",
    "insert",
    "insert_one",
    "insert_many",
    "update",
    "update_one",
    "update_many",
    "delete",
    "delete_one",
    "delete_many",
    "upsert",
    "save",
    "exec",
    "exec_drop",
    "batch_execute",
];

/// Method names of database reads (`fetch_one`, `query`, `find`, ...), for `replication-lag`.
pub const DB_READ_METHODS: &[&str] = &[
    "fetch_one",
    "fetch_optional",
    "fetch_all",
    "fetch",
    "query",
    "query_one",
    "query_opt",
    "query_row",
    "query_first",
    "exec_first",
    "get",
    "get_result",
    "get_results",
    "find",
    "find_one",
    "find_by_id",
    "first",
    "load",
    "all",
    "one",
];

/// Words of a type name that say by themselves it is on the primary side (`PrimaryPool`).
pub const TYPE_PRIMARY_STRONG: &[&str] = &["primary"];

/// Words of a type name that say by themselves it reads from a replica (`ReadReplica`,
/// `ReadonlyPool`).
pub const TYPE_REPLICA_STRONG: &[&str] = &["replica", "readonly"];

/// Words that say a type is on the primary side only next to a database word in the same type name
/// (`WriterDb`): alone they also name I/O and consensus types (`IndexWriter`, `Leader`).
pub const TYPE_PRIMARY_WEAK: &[&str] = &["writer", "write", "master", "leader", "rw"];

/// Words that say a type is on the replica side only next to a database word in the same type name
/// (`ReaderPool`, `FollowerClient`).
pub const TYPE_REPLICA_WEAK: &[&str] = &[
    "reader",
    "read",
    "ro",
    "follower",
    "secondary",
    "standby",
    "slave",
];

/// Database words that make a weak role word in the same type name count (`WriterDb`).
pub const TYPE_DB_WORDS: &[&str] = &[
    "db",
    "database",
    "pool",
    "conn",
    "connection",
    "client",
    "pg",
    "postgres",
    "mysql",
    "sql",
    "sqlite",
    "store",
    "repo",
    "repository",
    "executor",
];

/// Substrings of an identifier (lower-cased) that make a count the cluster's size (`node`, `peer`,
/// `replica`, `voter`, ...), for `quorum-math`.
pub const CLUSTER_SIZE_WORDS: &[&str] = &[
    "node",
    "peer",
    "replica",
    "voter",
    "member",
    "cluster",
    "server",
    "acceptor",
    "participant",
];

/// Substrings of a collection's name that make it sized by the deployment (peers, nodes, shards,
/// replicas, ...), not by the input, for `unbounded-fanout`.
pub const DEPLOYMENT_SIZED_NAMES: &[&str] = &[
    "peer",
    "node",
    "replica",
    "shard",
    "member",
    "partition",
    "broker",
    "voter",
    "server",
    "endpoint",
    "backend",
    "upstream",
    "topic",
    "region",
    "zone",
    "datacenter",
    "cluster",
    // Worker pools: `0..num_workers`, `0..concurrency` are sized by configuration.
    "worker",
    "concurrency",
    "parallelism",
];

/// Outer type names of parameters whose size follows the caller's input.
pub const COLLECTION_TYPES: &[&str] = &[
    "Vec", "VecDeque", "HashMap", "HashSet", "BTreeMap", "BTreeSet", "IndexMap", "IndexSet",
    "Bytes", "String", "str",
];

/// Iterator adapters that keep the collection's size (or shrink it by a data-dependent amount).
pub const SIZE_KEEPING_ADAPTERS: &[&str] = &[
    "iter",
    "into_iter",
    "iter_mut",
    "map",
    "filter",
    "filter_map",
    "enumerate",
    "cloned",
    "copied",
    "zip",
    "flat_map",
    "flatten",
    "chain",
    "inspect",
    "drain",
    "values",
    "keys",
    "into_values",
    "into_keys",
    "rev",
];

/// Element types that are live I/O handles rather than data: a collection of them (one per open
/// connection, stream, forwarded port or worker) holds what the program opened, so its length is
/// set by configuration or by what was constructed, not by a request's data.
pub const HANDLE_TYPE_SUFFIXES: &[&str] = &[
    "Stream",
    "Sink",
    "Sender",
    "Receiver",
    "Conn",
    "Connection",
    "Socket",
    "Channel",
    "Client",
    "Listener",
    "Session",
    "JoinHandle",
];

/// Receiver names (lower-cased) that make it a cache client as the whole name, a `_`-separated
/// first part or a last part (`cache`, `redis_conn`, `kv`, ...).
pub const CACHE_NAME_WORDS: &[&str] = &["cache", "redis", "conn", "con", "memcache", "kv"];

/// Words in a function's code (lower-cased, comments left out) that show a recompute is
/// single-flighted or coalesced (`mutex`, `semaphore`, `once_cell`, `singleflight`, ...).
pub const SINGLE_FLIGHT_WORDS: &[&str] = &[
    "lock",
    "mutex",
    "semaphore",
    "oncecell",
    "once_cell",
    "get_with",
    "try_get_with",
    "entry",
    "singleflight",
    "single_flight",
    "notify",
    "coalesc",
    "inflight",
    "in_flight",
];

/// Words in a function's code (lower-cased, comments left out) that show a cache TTL is jittered
/// (`rand`, `jitter`, `fastrand`, `random`).
pub const CACHE_JITTER_WORDS: &[&str] = &["rand", "jitter", "fastrand", "random"];

/// Substrings of an identifier (lower-cased) in a retry delay that show jitter:
/// [`CACHE_JITTER_WORDS`] plus `gen_range` and `thread_rng`.
pub const BACKOFF_JITTER_WORDS: &[&str] = &[
    "rand",
    "jitter",
    "random",
    "fastrand",
    "gen_range",
    "thread_rng",
];

/// tokio-retry strategy constructors without jitter (full paths).
pub const TOKIO_RETRY_UNJITTERED: &[&str] = &[
    "tokio_retry::strategy::ExponentialBackoff",
    "tokio_retry::strategy::FibonacciBackoff",
    "tokio_retry::strategy::FixedInterval",
];

/// backon backoff builders (full paths), for `retry-backoff`.
pub const BACKON_BUILDERS: &[&str] = &[
    "backon::ExponentialBuilder",
    "backon::ConstantBuilder",
    "backon::FibonacciBuilder",
];

/// tokio-retry and tokio-retry2 strategy types (full paths, resolved through the imports), for
/// `unbounded-retry`.
pub const TOKIO_RETRY_STRATEGIES: &[&str] = &[
    "tokio_retry::strategy::ExponentialBackoff",
    "tokio_retry::strategy::FixedInterval",
    "tokio_retry::strategy::FibonacciBackoff",
    "tokio_retry2::strategy::ExponentialBackoff",
    "tokio_retry2::strategy::FixedInterval",
    "tokio_retry2::strategy::FibonacciBackoff",
    "tokio_retry2::strategy::ExponentialFactorBackoff",
];

/// Calls that generate a fresh unique value (`uuid::Uuid::new_v4`, `ulid::Ulid::new`,
/// `rand::random`, ...), full paths resolved through the imports, for `retry-idempotency`.
pub const IDEMPOTENCY_KEY_GENERATORS: &[&str] = &[
    "uuid::Uuid::new_v4",
    "uuid::Uuid::now_v7",
    "uuid::Uuid::new_v7",
    "rand::random",
    "ulid::Ulid::new",
    "nanoid::nanoid",
];

/// Names of blocking calls that reach another process (network, database, filesystem), for attempts
/// that are not awaited.
pub const BLOCKING_IO_CALLS: &[&str] = &[
    "connect",
    "connect_timeout",
    "send",
    "execute",
    "query",
    "query_one",
    "query_row",
    "request",
    "call",
    "post",
    "put",
    "patch",
    "open",
    "create",
    "create_new",
    "bind",
    "publish",
    "write_all",
    "read_exact",
    "flush",
    "login",
    "authenticate",
    "fetch",
    "load",
    "save",
    "commit",
    "begin",
    "transaction",
    "dial",
    "get_connection",
    "get_conn",
    "set_nx",
    "set",
    "del",
    "incr",
    "req_packed_command",
    "rename",
    "remove_file",
];

/// Calls that read the wall clock (`std::time::SystemTime::now`, `chrono::Utc::now`, ...), full
/// paths resolved through the imports.
pub const WALL_CLOCK_NOW_FNS: &[&str] = &[
    "std::time::SystemTime::now",
    "chrono::Utc::now",
    "chrono::Local::now",
    "chrono::offset::Utc::now",
    "chrono::offset::Local::now",
];

/// Substrings of an identifier (lower-cased) in a wall-clock comparison that make it an expiry
/// check (`lease`, `expir`, `deadline`, `ttl`, `timeout`, ...).
pub const EXPIRY_WORDS: &[&str] = &[
    "lease",
    "expir",
    "deadline",
    "ttl",
    "timeout",
    "valid_until",
    "not_after",
];

/// Field names compared between two records to order events by wall-clock time (`timestamp`,
/// `updated_at`, `last_modified`, ...).
pub const ORDERING_FIELDS: &[&str] = &[
    "timestamp",
    "ts",
    "updated_at",
    "modified_at",
    "last_modified",
    "write_time",
    "last_write",
    "mtime",
];

/// Substrings of a key's text (lower-cased) that make it time-based (`now()`, `.timestamp`,
/// `unix_epoch`, ...), for `hot-spot`.
pub const TIME_KEY_SUBSTRINGS: &[&str] = &[
    "now()",
    ".timestamp",
    "unix_epoch",
    "timestamp_millis",
    "timestamp()",
];

/// reqwest builder methods that bound a request's time (`timeout`, `read_timeout`).
pub const CLIENT_TIMEOUT_METHODS: &[&str] = &["timeout", "read_timeout"];

/// Words in a function's code (lower-cased, comments left out) that show it handles shutdown
/// (`shutdown`, `signal`, `ctrl_c`, `cancel`, `sigterm`).
pub const SHUTDOWN_WORDS: &[&str] = &["shutdown", "signal", "ctrl_c", "cancel", "sigterm"];

/// Macros that await their operands (`tokio::select!`, `join!`, ...), by last path segment.
pub const AWAITING_MACROS: &[&str] = &["select", "join", "try_join", "select_biased", "pending"];

/// Directory names that hold only test support code wherever they appear.
pub const TEST_SUPPORT_DIRS: &[&str] = &[
    "test_helpers",
    "test_util",
    "test_utils",
    "testing",
    "testutil",
    "testutils",
    "test_support",
];

/// Path prefixes of network and byte-stream I/O: sockets, async readers and writers, codecs,
/// gRPC, HTTP, TLS and WebSocket clients. `std::io` is left out: its `Error` and `Result` are
/// imported by code that does no I/O.
pub const NETWORK_MODULES: &[&str] = &[
    "tokio::net",
    "tokio::io",
    "futures::io",
    "futures_util::io",
    "futures::AsyncRead",
    "futures::AsyncWrite",
    "std::net",
    "async_std::net",
    "async_std::io",
    "tokio_util::codec",
    "tokio_util::io",
    "tonic",
    "hyper",
    "h2",
    "reqwest",
    "quinn",
    "tokio_rustls",
    "rustls",
    "tokio_tungstenite",
    "tungstenite",
];
