package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/cargoman/cargoman/graph"
	"github.com/cargoman/cargoman/internal/bodylimit"
	"github.com/cargoman/cargoman/internal/database"
	"github.com/cargoman/cargoman/internal/jwtauth"
	"github.com/cargoman/cargoman/internal/netpolicy"
	"github.com/cargoman/cargoman/internal/origin"
	"github.com/cargoman/cargoman/internal/secret"
	"github.com/cargoman/cargoman/internal/suggest"
)

// config is the configuration of a command. Every setting is an
// environment variable and a flag of the same meaning; flags win.
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

// setting describes one configuration value, for flags and the README;
// check, when set, validates it (and what it derives) once parsed.
type setting struct {
	env, flag, def, usage string
	dst                   any
	check                 func() error
}

// dbSettings are the settings of commands that only need the database.
var dbSettings = []string{"DATA_DIR", "DATABASE_URL", "LOG_LEVEL"}

func (c *config) settings() []setting {
	return []setting{
		{env: "LISTEN_ADDR", flag: "listen-addr", def: ":8080", usage: "address to listen on", dst: &c.ListenAddr},
		{env: "PUBLIC_URL", flag: "public-url", def: "", usage: "URL every Composer URL (dist downloads, the repository URL and auth.json of new tokens) and REST link is built from, e.g. https://packages.example.com; unset: the scheme and host each request was sent to", dst: &c.PublicURL, check: func() error {
			_, err := origin.New(origin.Options{Public: c.PublicURL})
			return err
		}},
		{env: "TRUSTED_PROXIES", flag: "trusted-proxies", def: "", usage: "comma-separated IP addresses and CIDR prefixes of reverse proxies whose X-Forwarded-Proto and X-Forwarded-Host are believed when PUBLIC_URL is unset", dst: &c.TrustedProxies, check: func() error {
			if _, err := origin.ParseTrusted(c.TrustedProxies); err != nil {
				return fmt.Errorf("TRUSTED_PROXIES: %w", err)
			}
			return nil
		}},
		{env: "DATA_DIR", flag: "data-dir", def: "./data", usage: "directory for the embedded database, archives, mirrors and the encryption key", dst: &c.DataDir},
		{env: "DATABASE_URL", flag: "database-url", def: "", usage: "postgres://... for PostgreSQL; default: SQLite file cargoman.db in DATA_DIR", dst: &c.DatabaseURL, check: func() error {
			if c.DatabaseURL == "" {
				c.DatabaseURL = database.SQLiteURL(filepath.Join(c.DataDir, "cargoman.db"))
			}
			return nil
		}},
		{env: "ADMIN_TOKEN", flag: "admin-token", def: "", usage: "root API token; if unset, one is generated at first start and printed once", dst: &c.AdminToken, check: func() error {
			if c.AdminToken == "" {
				return nil
			}
			if err := secret.CheckChosen(c.AdminToken); err != nil {
				return fmt.Errorf("ADMIN_TOKEN %w (or leave it unset: a strong root token is then generated at first start)", err)
			}
			return nil
		}},
		{env: "ENCRYPTION_KEY", flag: "encryption-key", def: "", usage: "base64 32-byte key encrypting stored secrets; default: DATA_DIR/encryption.key, created at first start (set it when several instances share a database)", dst: &c.EncryptionKey},
		{env: "WEBHOOK_SECRET", flag: "webhook-secret", def: "", usage: "secret git-provider webhooks may be signed with, for every package", dst: &c.WebhookSecret},
		{env: "JWT_SECRET", flag: "jwt-secret", def: "", usage: "secret signing customer JWTs (HS256), at least 32 bytes; unset: issuing JWTs answers FEATURE_NOT_AVAILABLE", dst: &c.JWTSecret, check: func() error {
			if c.JWTSecret != "" && len(c.JWTSecret) < jwtauth.MinSecretLen {
				return fmt.Errorf("JWT_SECRET must be at least %d bytes long (got %d)", jwtauth.MinSecretLen, len(c.JWTSecret))
			}
			return nil
		}},
		{env: "ALLOW_LOCAL_REPOSITORIES", flag: "allow-local-repositories", def: "false", usage: "let packages use local paths and file:// URLs (they read the server's disk)", dst: &c.AllowLocalRepos},
		{env: "ALLOW_INSECURE_GIT_HTTP", flag: "allow-insecure-git-http", def: "false", usage: "let packages use plain http:// repository URLs, for git servers inside a private network (contents and credentials cross the network unencrypted)", dst: &c.AllowInsecureHTTP},
		{env: "ALLOWED_GIT_HOSTS", flag: "allowed-git-hosts", def: "", usage: "comma-separated host names or globs (github.com,*.example.com) repositories may be fetched from; empty: any host", dst: &c.AllowedGitHosts},
		{env: "DENY_PRIVATE_NETWORKS", flag: "deny-private-networks", def: "", usage: "refuse repository addresses in loopback, private, link-local, CGNAT, multicast and other special ranges, checked at connect time; default true unless ALLOW_LOCAL_REPOSITORIES", dst: &c.DenyPrivate, check: func() error {
			c.denyPrivate = !c.AllowLocalRepos
			if c.DenyPrivate != "" {
				b, err := strconv.ParseBool(c.DenyPrivate)
				if err != nil {
					return fmt.Errorf("DENY_PRIVATE_NETWORKS must be true or false, not %q", c.DenyPrivate)
				}
				c.denyPrivate = b
			}
			if _, err := netpolicy.New(netpolicy.ParseHosts(c.AllowedGitHosts), c.denyPrivate); err != nil {
				return fmt.Errorf("ALLOWED_GIT_HOSTS: %w", err)
			}
			return nil
		}},
		{env: "MODE", flag: "mode", def: "all", usage: "all: API and workers; api: API only; worker: background tasks only", dst: &c.Mode, check: func() error {
			switch c.Mode {
			case "all", "api", "worker":
				return nil
			}
			return fmt.Errorf("MODE must be all, api or worker, not %q", c.Mode)
		}},
		{env: "WORKER_CONCURRENCY", flag: "worker-concurrency", def: "2", usage: "background tasks run at once by this instance", dst: &c.WorkerConcurrency, check: func() error {
			if c.WorkerConcurrency < 1 || c.WorkerConcurrency > 64 {
				return fmt.Errorf("WORKER_CONCURRENCY must be between 1 and 64")
			}
			return nil
		}},
		{env: "WEBHOOK_DELIVERY_RETENTION_DAYS", flag: "webhook-delivery-retention-days", def: "30", usage: "days webhook delivery records are kept before the daily cleanup deletes them (1 to 3650)", dst: &c.WebhookDeliveryRetentionDays, check: func() error {
			if c.WebhookDeliveryRetentionDays < 1 || c.WebhookDeliveryRetentionDays > 3650 {
				return fmt.Errorf("WEBHOOK_DELIVERY_RETENTION_DAYS must be between 1 and 3650, not %d", c.WebhookDeliveryRetentionDays)
			}
			return nil
		}},
		{env: "MAX_BODY_BYTES", flag: "max-body-bytes", def: strconv.Itoa(bodylimit.DefaultJSON), usage: "largest JSON request body (GraphQL and REST) in bytes; larger ones answer 413", dst: &c.MaxBodyBytes, check: func() error {
			if c.MaxBodyBytes < 1<<10 || c.MaxBodyBytes > 64<<20 {
				return fmt.Errorf("MAX_BODY_BYTES must be between 1024 and %d, not %d", 64<<20, c.MaxBodyBytes)
			}
			return nil
		}},
		{env: "LOG_LEVEL", flag: "log-level", def: "info", usage: "debug, info (one line per request), warn or error", dst: &c.LogLevel, check: func() error {
			if err := c.level.UnmarshalText([]byte(c.LogLevel)); err != nil {
				return fmt.Errorf("LOG_LEVEL must be debug, info, warn or error, not %q", c.LogLevel)
			}
			return nil
		}},
		{env: "GRAPHQL_MAX_COMPLEXITY", flag: "graphql-max-complexity", def: strconv.Itoa(graph.DefaultMaxComplexity), usage: "highest cost of one GraphQL operation (1 per field, times the page size of each connection); above it the operation answers 422", dst: &c.GraphQLMaxComplexity, check: func() error {
			if c.GraphQLMaxComplexity < 1 {
				return fmt.Errorf("GRAPHQL_MAX_COMPLEXITY must be at least 1 (got %d)", c.GraphQLMaxComplexity)
			}
			return nil
		}},
		{env: "GRAPHQL_INTROSPECTION", flag: "graphql-introspection", def: string(graph.IntrospectionAuthenticated), usage: "who may query the GraphQL schema: authenticated (any credential), public or off", dst: &c.GraphQLIntrospection, check: func() error {
			mode, err := graph.ParseIntrospectionMode(c.GraphQLIntrospection)
			if err != nil {
				return fmt.Errorf("GRAPHQL_INTROSPECTION %w", err)
			}
			c.introspection = mode
			return nil
		}},
	}
}

// errHelpShown means a command's help was asked for and printed.
var errHelpShown = errors.New("help shown")

// usageError is a mistyped command line: one line saying what is wrong,
// never the whole usage.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// parseConfig reads the settings of cmd (every other one is ignored, from
// the environment too): the environment first, then flags from args, then
// checks them. -help prints cmd's usage on stdout and returns errHelpShown.
func parseConfig(cmd *command, args []string, getenv func(string) string, stdout io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var checks []func() error
	for _, s := range c.settings() {
		if !slices.Contains(cmd.settings, s.env) {
			continue
		}
		if s.check != nil {
			checks = append(checks, s.check)
		}
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
		if errors.Is(err, flag.ErrHelp) {
			cmd.printUsage(stdout, fs)
			return nil, errHelpShown
		}
		return nil, flagError(cmd, fs, err)
	}
	if fs.NArg() > 0 {
		return nil, &usageError{fmt.Sprintf("%s takes no arguments, got %q (cargoman %s -help lists its flags)", cmd.name, fs.Args(), cmd.name)}
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// flagError turns the flag package's complaint into one line, with the
// flag the user probably meant.
func flagError(cmd *command, fs *flag.FlagSet, err error) error {
	name, unknown := strings.CutPrefix(err.Error(), "flag provided but not defined: -")
	if !unknown {
		return &usageError{fmt.Sprintf("%s: %v (cargoman %s -help lists its flags)", cmd.name, err, cmd.name)}
	}
	var own, all []string
	fs.VisitAll(func(f *flag.Flag) { own = append(own, f.Name) })
	for _, s := range (&config{}).settings() {
		all = append(all, s.flag)
	}
	if other, ok := suggest.Closest(name, all); ok && !slices.Contains(own, other) {
		if owners := commandsWithSetting(other); len(owners) > 0 {
			return &usageError{fmt.Sprintf("%s does not take -%s (only %s does; cargoman %s -help lists its flags)", cmd.name, other, strings.Join(owners, ", "), cmd.name)}
		}
	}
	if guess, ok := suggest.Closest(name, own); ok {
		return &usageError{fmt.Sprintf("unknown flag -%s for %s; did you mean -%s?", name, cmd.name, guess)}
	}
	return &usageError{fmt.Sprintf("unknown flag -%s for %s (cargoman %s -help lists its flags)", name, cmd.name, cmd.name)}
}

// graphQL are the GraphQL settings the configuration chooses.
func (c *config) graphQL() graph.Settings {
	l := graph.DefaultLimits()
	l.MaxComplexity = c.GraphQLMaxComplexity
	return graph.Settings{Limits: l, Introspection: c.introspection}
}
