package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"

	"github.com/cargoman/cargoman/graph"
	"github.com/cargoman/cargoman/internal/bodylimit"
	"github.com/cargoman/cargoman/internal/database"
	"github.com/cargoman/cargoman/internal/jwtauth"
	"github.com/cargoman/cargoman/internal/netpolicy"
	"github.com/cargoman/cargoman/internal/origin"
	"github.com/cargoman/cargoman/internal/secret"
)

// config is the server configuration. Every setting is an environment
// variable and a flag of the same meaning; flags win.
type config struct {
	ListenAddr        string
	PublicURL         string
	TrustedProxies    string
	DataDir           string
	DatabaseURL       string
	AdminToken        string
	EncryptionKey     string
	WebhookSecret     string
	JWTSecret         string
	AllowLocalRepos   bool
	AllowInsecureHTTP bool
	AllowedGitHosts   string
	DenyPrivate       string
	Mode              string
	WorkerConcurrency int
	// WebhookDeliveryRetentionDays is how long webhook delivery records
	// are kept.
	WebhookDeliveryRetentionDays int
	MaxBodyBytes                 int
	LogLevel                     string
	// GraphQLMaxComplexity bounds the cost of one GraphQL operation.
	GraphQLMaxComplexity int
	// GraphQLIntrospection says who may query the schema.
	GraphQLIntrospection string
	// level is LogLevel parsed.
	level slog.Level
	// denyPrivate is DenyPrivate parsed, its default applied.
	denyPrivate bool
	// introspection is GraphQLIntrospection parsed.
	introspection graph.IntrospectionMode
}

// setting describes one configuration value, for flags and the README.
type setting struct {
	env, flag, def, usage string
	dst                   any
}

func (c *config) settings() []setting {
	return []setting{
		{"LISTEN_ADDR", "listen-addr", ":8080", "address to listen on", &c.ListenAddr},
		{"PUBLIC_URL", "public-url", "", "URL every Composer URL (dist downloads, the repository URL and auth.json of new tokens) and REST link is built from, e.g. https://packages.example.com; unset: the scheme and host each request was sent to", &c.PublicURL},
		{"TRUSTED_PROXIES", "trusted-proxies", "", "comma-separated IP addresses and CIDR prefixes of reverse proxies whose X-Forwarded-Proto and X-Forwarded-Host are believed when PUBLIC_URL is unset", &c.TrustedProxies},
		{"DATA_DIR", "data-dir", "./data", "directory for the embedded database, archives, mirrors and the encryption key", &c.DataDir},
		{"DATABASE_URL", "database-url", "", "postgres://... for PostgreSQL; default: SQLite file cargoman.db in DATA_DIR", &c.DatabaseURL},
		{"ADMIN_TOKEN", "admin-token", "", "root API token; if unset, one is generated at first start and printed once", &c.AdminToken},
		{"ENCRYPTION_KEY", "encryption-key", "", "base64 32-byte key encrypting stored secrets; default: DATA_DIR/encryption.key, created at first start (set it when several instances share a database)", &c.EncryptionKey},
		{"WEBHOOK_SECRET", "webhook-secret", "", "secret git-provider webhooks may be signed with, for every package", &c.WebhookSecret},
		{"JWT_SECRET", "jwt-secret", "", "secret signing customer JWTs (HS256), at least 32 bytes; unset: issuing JWTs answers FEATURE_NOT_AVAILABLE", &c.JWTSecret},
		{"ALLOW_LOCAL_REPOSITORIES", "allow-local-repositories", "false", "let packages use local paths and file:// URLs (they read the server's disk)", &c.AllowLocalRepos},
		{"ALLOW_INSECURE_GIT_HTTP", "allow-insecure-git-http", "false", "let packages use plain http:// repository URLs, for git servers inside a private network (contents and credentials cross the network unencrypted)", &c.AllowInsecureHTTP},
		{"ALLOWED_GIT_HOSTS", "allowed-git-hosts", "", "comma-separated host names or globs (github.com,*.example.com) repositories may be fetched from; empty: any host", &c.AllowedGitHosts},
		{"DENY_PRIVATE_NETWORKS", "deny-private-networks", "", "refuse repository addresses in loopback, private, link-local, CGNAT, multicast and other special ranges, checked at connect time; default true unless ALLOW_LOCAL_REPOSITORIES", &c.DenyPrivate},
		{"MODE", "mode", "all", "all: API and workers; api: API only; worker: background tasks only", &c.Mode},
		{"WORKER_CONCURRENCY", "worker-concurrency", "2", "background tasks run at once by this instance", &c.WorkerConcurrency},
		{"WEBHOOK_DELIVERY_RETENTION_DAYS", "webhook-delivery-retention-days", "30", "days webhook delivery records are kept before the daily cleanup deletes them (1 to 3650)", &c.WebhookDeliveryRetentionDays},
		{"MAX_BODY_BYTES", "max-body-bytes", strconv.Itoa(bodylimit.DefaultJSON), "largest JSON request body (GraphQL and REST) in bytes; larger ones answer 413", &c.MaxBodyBytes},
		{"LOG_LEVEL", "log-level", "info", "debug, info (one line per request), warn or error", &c.LogLevel},
		{"GRAPHQL_MAX_COMPLEXITY", "graphql-max-complexity", strconv.Itoa(graph.DefaultMaxComplexity), "highest cost of one GraphQL operation (1 per field, times the page size of each connection); above it the operation answers 422", &c.GraphQLMaxComplexity},
		{"GRAPHQL_INTROSPECTION", "graphql-introspection", string(graph.IntrospectionAuthenticated), "who may query the GraphQL schema: authenticated (any credential), public or off", &c.GraphQLIntrospection},
	}
}

// parseConfig reads the environment, then flags from args.
func parseConfig(name string, args []string, getenv func(string) string, usage io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(usage)
	for _, s := range c.settings() {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		help := fmt.Sprintf("%s (env %s)", s.usage, s.env)
		switch dst := s.dst.(type) {
		case *string:
			fs.StringVar(dst, s.flag, def, help)
		case *bool:
			b, err := strconv.ParseBool(def)
			if err != nil {
				return nil, fmt.Errorf("%s must be true or false, not %q", s.env, def)
			}
			fs.BoolVar(dst, s.flag, b, help)
		case *int:
			n, err := strconv.Atoi(def)
			if err != nil {
				return nil, fmt.Errorf("%s must be a whole number, not %q", s.env, def)
			}
			fs.IntVar(dst, s.flag, n, help)
		}
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	switch c.Mode {
	case "all", "api", "worker":
	default:
		return nil, fmt.Errorf("MODE must be all, api or worker, not %q", c.Mode)
	}
	if c.WorkerConcurrency < 1 || c.WorkerConcurrency > 64 {
		return nil, fmt.Errorf("WORKER_CONCURRENCY must be between 1 and 64")
	}
	if c.WebhookDeliveryRetentionDays < 1 || c.WebhookDeliveryRetentionDays > 3650 {
		return nil, fmt.Errorf("WEBHOOK_DELIVERY_RETENTION_DAYS must be between 1 and 3650, not %d", c.WebhookDeliveryRetentionDays)
	}
	if c.MaxBodyBytes < 1<<10 || c.MaxBodyBytes > 64<<20 {
		return nil, fmt.Errorf("MAX_BODY_BYTES must be between 1024 and %d, not %d", 64<<20, c.MaxBodyBytes)
	}
	if c.AdminToken != "" {
		if err := secret.CheckChosen(c.AdminToken); err != nil {
			return nil, fmt.Errorf("ADMIN_TOKEN %w (or leave it unset: a strong root token is then generated at first start)", err)
		}
	}
	if c.JWTSecret != "" && len(c.JWTSecret) < jwtauth.MinSecretLen {
		return nil, fmt.Errorf("JWT_SECRET must be at least %d bytes long (got %d)", jwtauth.MinSecretLen, len(c.JWTSecret))
	}
	c.denyPrivate = !c.AllowLocalRepos
	if c.DenyPrivate != "" {
		b, err := strconv.ParseBool(c.DenyPrivate)
		if err != nil {
			return nil, fmt.Errorf("DENY_PRIVATE_NETWORKS must be true or false, not %q", c.DenyPrivate)
		}
		c.denyPrivate = b
	}
	if _, err := netpolicy.New(netpolicy.ParseHosts(c.AllowedGitHosts), c.denyPrivate); err != nil {
		return nil, fmt.Errorf("ALLOWED_GIT_HOSTS: %w", err)
	}
	if c.GraphQLMaxComplexity < 1 {
		return nil, fmt.Errorf("GRAPHQL_MAX_COMPLEXITY must be at least 1 (got %d)", c.GraphQLMaxComplexity)
	}
	mode, err := graph.ParseIntrospectionMode(c.GraphQLIntrospection)
	if err != nil {
		return nil, fmt.Errorf("GRAPHQL_INTROSPECTION %w", err)
	}
	c.introspection = mode
	if _, err := origin.ParseTrusted(c.TrustedProxies); err != nil {
		return nil, fmt.Errorf("TRUSTED_PROXIES: %w", err)
	}
	if _, err := origin.New(origin.Options{Public: c.PublicURL}); err != nil {
		return nil, err
	}
	if err := c.level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, fmt.Errorf("LOG_LEVEL must be debug, info, warn or error, not %q", c.LogLevel)
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = database.SQLiteURL(filepath.Join(c.DataDir, "cargoman.db"))
	}
	return c, nil
}

// graphQL are the GraphQL settings the configuration chooses.
func (c *config) graphQL() graph.Settings {
	l := graph.DefaultLimits()
	l.MaxComplexity = c.GraphQLMaxComplexity
	return graph.Settings{Limits: l, Introspection: c.introspection}
}
