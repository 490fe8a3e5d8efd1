// Package app assembles a running Cargoman from its configuration: the
// services, the HTTP handler and the background workers. cmd/cargoman and
// the test harness both build through it, so they run the same wiring.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/task"
	"github.com/cargoman/cargoman/graph"
	"github.com/cargoman/cargoman/internal/access"
	"github.com/cargoman/cargoman/internal/archives"
	"github.com/cargoman/cargoman/internal/auth"
	"github.com/cargoman/cargoman/internal/blob"
	"github.com/cargoman/cargoman/internal/bodylimit"
	"github.com/cargoman/cargoman/internal/bootstrap"
	"github.com/cargoman/cargoman/internal/cachestamp"
	"github.com/cargoman/cargoman/internal/composerrepo"
	"github.com/cargoman/cargoman/internal/database"
	"github.com/cargoman/cargoman/internal/gitsync"
	"github.com/cargoman/cargoman/internal/hooks"
	"github.com/cargoman/cargoman/internal/jwtauth"
	"github.com/cargoman/cargoman/internal/knownhosts"
	"github.com/cargoman/cargoman/internal/maintenance"
	"github.com/cargoman/cargoman/internal/netpolicy"
	"github.com/cargoman/cargoman/internal/origin"
	"github.com/cargoman/cargoman/internal/packages"
	"github.com/cargoman/cargoman/internal/repourl"
	"github.com/cargoman/cargoman/internal/scratch"
	"github.com/cargoman/cargoman/internal/secretbox"
	"github.com/cargoman/cargoman/internal/server"
	"github.com/cargoman/cargoman/internal/stats"
	"github.com/cargoman/cargoman/internal/tasks"
	"github.com/cargoman/cargoman/internal/tenancy"
)

// Config is what the app needs to know.
type Config struct {
	// PublicURL is the base of every absolute URL handed out; empty
	// builds them from each request (see internal/origin).
	PublicURL string
	// TrustedProxies lists the peers (IP addresses and CIDR prefixes,
	// comma-separated) whose X-Forwarded-Proto and X-Forwarded-Host are
	// believed when PublicURL is empty.
	TrustedProxies string
	DataDir        string
	// AdminToken is the root token; empty means generated at first start.
	AdminToken string
	// EncryptionKey (base64, 32 bytes) encrypts stored secrets; empty
	// means a key file in DataDir, created at first start.
	EncryptionKey string
	// WebhookSecret is accepted for every package's webhooks.
	WebhookSecret string
	// JWTSecret signs customer JWTs; empty disables them. When set it must
	// be at least jwtauth.MinSecretLen bytes long.
	JWTSecret string
	// AllowLocalRepositories permits local paths and file:// URLs.
	AllowLocalRepositories bool
	// AllowInsecureGitHTTP permits plain http:// repository URLs, for git
	// servers inside a private network.
	AllowInsecureGitHTTP bool
	// AllowedGitHosts are the host names or globs repositories may be
	// fetched from; empty allows any.
	AllowedGitHosts []string
	// DenyPrivateNetworks refuses loopback, private and other special
	// addresses when git connects (cmd/cargoman defaults it to true unless
	// local repositories are allowed).
	DenyPrivateNetworks bool
	// GitStallTimeout cuts a transfer whose remote sends nothing for this
	// long; zero means netpolicy.DefaultStall.
	GitStallTimeout time.Duration
	// Workers runs background tasks in this process; WorkerConcurrency
	// of them at once.
	Workers           bool
	WorkerConcurrency int
	// ServeAPI serves HTTP; false for worker-only instances.
	ServeAPI bool
	// StatsFlushInterval is how often counted installs and downloads are
	// written; stats.DefaultInterval (1 s) when zero.
	StatsFlushInterval time.Duration
	// WebhookDeliveryRetention is how long webhook delivery records are
	// kept; maintenance.DefaultRetention's when zero.
	WebhookDeliveryRetention time.Duration
	// Limits bound request bodies (MAX_BODY_BYTES); zero fields take the
	// defaults.
	Limits bodylimit.Limits
	// GraphQL are the GraphQL limits and introspection policy; zero fields
	// take graph's defaults.
	GraphQL graph.Settings
}

// App is an assembled Cargoman.
type App struct {
	Handler http.Handler
	// Boot is the result of bootstrapping at start (the generated root
	// token, to show once); Current is the one in force since.
	Boot     bootstrap.Result
	Current  *bootstrap.Current
	Usage    *auth.UsageRecorder
	Stamps   *cachestamp.Stamps
	Stats    *stats.Recorder
	Packages *packages.Service
	Access   *access.Service
	Syncer   *gitsync.Syncer
	Pool     *tasks.Pool
	// Scratch holds this instance's temporary files under DATA_DIR/tmp.
	Scratch *scratch.Dir
	log     *slog.Logger
	workers bool
	client  *ent.Client
}

// wakerFunc adapts a function to tasks.Waker.
type wakerFunc func()

func (f wakerFunc) Wake() { f() }

// New assembles the app over a migrated database. Close releases what it
// holds on disk.
func New(ctx context.Context, db *database.DB, cfg Config, log *slog.Logger) (_ *App, err error) {
	// Every temporary file lives under DATA_DIR/tmp; what a dead instance
	// left there is swept now.
	tmp, err := scratch.Open(filepath.Join(cfg.DataDir, "tmp"))
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
		}
	}()
	blobs, err := blob.NewFS(filepath.Join(cfg.DataDir, "blobs"))
	if err != nil {
		return nil, fmt.Errorf("app: blob store: %w", err)
	}
	dists := archives.New(db.Client, blobs, db.Dialect)
	box, err := openBox(cfg)
	if err != nil {
		return nil, err
	}
	mirrors := filepath.Join(cfg.DataDir, "mirrors")
	if err := os.MkdirAll(mirrors, 0o750); err != nil {
		return nil, fmt.Errorf("app: mirrors directory: %w", err)
	}
	// The pool is built after the services that wake it.
	var pool *tasks.Pool
	wake := wakerFunc(func() {
		if pool != nil {
			pool.Wake()
		}
	})
	network, err := netpolicy.New(cfg.AllowedGitHosts, cfg.DenyPrivateNetworks)
	if err != nil {
		return nil, fmt.Errorf("app: ALLOWED_GIT_HOSTS: %w", err)
	}
	// Package writes and sync judge repository URLs by the same rules.
	repos := repourl.Rules{AllowLocal: cfg.AllowLocalRepositories, AllowInsecureHTTP: cfg.AllowInsecureGitHTTP, Network: network}
	pkgs := packages.New(packages.Options{
		Client: db.Client, Archives: dists, Box: box,
		Repositories: repos, MirrorsDir: mirrors, Waker: wake, Scratch: tmp, Log: log,
	})
	usage := auth.NewUsageRecorder(db.Client)
	counts := stats.NewRecorder(db.Client, stats.RecorderOptions{Interval: cfg.StatsFlushInterval, Log: log})
	var jwt *jwtauth.Authority
	if cfg.JWTSecret != "" {
		if jwt, err = jwtauth.New(cfg.JWTSecret); err != nil {
			return nil, fmt.Errorf("app: JWT_SECRET: %w", err)
		}
	}
	acc := access.New(access.Options{Client: db.Client, Dialect: db.Dialect, JWT: jwt})
	db.Client.Use(cachestamp.Hook())
	// Bootstrapping comes after everything that can fail on disk: a root
	// token generated and then lost to a later error would never be shown.
	boot, err := bootstrap.Run(ctx, db.Client, cfg.AdminToken)
	if err != nil {
		return nil, err
	}
	current := bootstrap.NewCurrent(boot)
	stamps := cachestamp.New(db.Client)
	stamps.WatchGeneration(boot.Generation,
		func(ctx context.Context) (string, error) { return current.Follow(ctx, db.Client) },
		func(ctx context.Context, seen string) (string, error) {
			return adoptDatabase(ctx, db, cfg, current, seen, log)
		})
	if err := stamps.Refresh(ctx); err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}

	hostKeys := knownhosts.New(db.Client)
	reg := &tasks.Registry{}
	syncer := gitsync.New(gitsync.Options{
		Client: db.Client, Packages: pkgs, Box: box,
		MirrorsDir: mirrors, Repositories: repos, TempDir: tmp.Path(), Log: log,
		HostKeys: hostKeys, StallTimeout: cfg.GitStallTimeout,
	})
	// A sync that changed metadata reaches this instance's Composer caches
	// as soon as it commits.
	reg.Register(task.KindPackageSync, func(ctx context.Context, t *ent.Task) error {
		err := syncer.Handle(ctx, t)
		if rerr := stamps.Refresh(ctx); rerr != nil {
			log.Error("refresh cache stamps after a sync", "err", rerr)
		}
		return err
	})
	pool = tasks.NewPool(db.Client, reg, tasks.PoolOptions{
		Concurrency:  max(cfg.WorkerConcurrency, 1),
		PollInterval: time.Second,
		Log:          log,
	})
	retention := maintenance.DefaultRetention
	if cfg.WebhookDeliveryRetention > 0 {
		retention.WebhookDeliveries = cfg.WebhookDeliveryRetention
	}
	maintenance.New(maintenance.Options{Client: db.Client, Queue: pool.Queue(), Archives: dists, Retention: retention, Log: log}).Register(reg)

	a := &App{Boot: boot, Current: current, Usage: usage, Stamps: stamps, Stats: counts, Packages: pkgs, Access: acc, Syncer: syncer, Pool: pool, Scratch: tmp, log: log, workers: cfg.Workers, client: db.Client}
	if cfg.ServeAPI {
		// Every absolute URL (dist URLs, credentials' repository URL, REST
		// links) is built from one base per request.
		proxies, err := origin.ParseTrusted(cfg.TrustedProxies)
		if err != nil {
			return nil, fmt.Errorf("app: TRUSTED_PROXIES: %w", err)
		}
		base, err := origin.New(origin.Options{Public: cfg.PublicURL, TrustedProxies: proxies, Log: log})
		if err != nil {
			return nil, fmt.Errorf("app: %w", err)
		}
		authn := auth.NewAuthenticator(db.Client, current, usage)
		authn.AcceptCustomers(acc)
		webhooks := hooks.New(hooks.Options{Client: db.Client, Dialect: db.Dialect, Box: box, Tenant: current, Secret: []byte(cfg.WebhookSecret), Waker: pool, Log: log})
		webhooks.AcceptCustomerTokens(acc)
		schema := graph.NewSchema(graph.Deps{
			Client: db.Client, Packages: pkgs, Access: acc,
			Stats:       stats.NewService(stats.ServiceOptions{Client: db.Client, Packages: pkgs, Recorder: counts}),
			AdminTokens: auth.NewAdminTokens(auth.AdminTokensOptions{Client: db.Client}),
			KnownHosts:  hostKeys,
		})
		a.Handler, err = server.New(server.Options{
			DB:            db,
			Authenticator: authn,
			Schema:        schema,
			Composer:      composerrepo.New(composerrepo.Options{Packages: pkgs, Access: acc, Usage: usage, Stats: counts, Stamps: stamps, Origin: base}),
			Dists:         pkgs,
			Webhooks:      webhooks,
			Origin:        base,
			Log:           log,
			Stamps:        stamps,
			Ready:         func(ctx context.Context) error { return current.Ready(ctx, db) },
			Limits:        cfg.Limits,
			Scratch:       tmp,
			GraphQL:       cfg.GraphQL,
		})
		if err != nil {
			return nil, err
		}
	}
	return a, nil
}

// adoptDatabase re-initialises the instance for a database that replaced
// its own under it (a new generation, seen by the stamp poller): the
// default tenant and root token are settled in it anew and become the ones
// in force, without a restart. The poller then drops every cached view.
func adoptDatabase(ctx context.Context, db *database.DB, cfg Config, current *bootstrap.Current, seen string, log *slog.Logger) (string, error) {
	res, err := bootstrap.Rerun(ctx, db.Client, cfg.AdminToken, current.Result())
	if err != nil {
		return "", err
	}
	old := current.Result()
	current.Set(res)
	log.Warn("the database was replaced under this instance: caches dropped, default tenant re-resolved",
		"old_generation", old.Generation, "seen_generation", seen, "generation", res.Generation,
		"old_tenant", old.TenantID, "tenant", res.TenantID)
	return res.Generation, nil
}

// Close removes the instance's temporary files. Call it once the HTTP
// server and Run have stopped.
func (a *App) Close() error { return a.Scratch.Close() }

// openBox loads the key that encrypts stored secrets.
func openBox(cfg Config) (*secretbox.Box, error) {
	var key []byte
	var err error
	if cfg.EncryptionKey != "" {
		key, err = secretbox.ParseKey(cfg.EncryptionKey)
	} else {
		key, err = secretbox.LoadOrCreateKeyFile(filepath.Join(cfg.DataDir, "encryption.key"))
	}
	if err != nil {
		return nil, fmt.Errorf("app: encryption key: %w", err)
	}
	return secretbox.New(key)
}

// Run runs the background work (token usage and download statistics
// flushing, task workers and the daily cleanup) until ctx ends, then stops
// it gracefully; both recorders make a final flush.
func (a *App) Run(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.Usage.Run(ctx, 10*time.Second, a.log)
	}()
	go a.Stamps.Run(ctx, time.Second, a.log)
	statsDone := make(chan struct{})
	go func() {
		defer close(statsDone)
		a.Stats.Run(ctx)
	}()
	var err error
	if a.workers {
		go a.scheduleCleanup(ctx)
		err = a.Pool.Run(ctx)
	} else {
		<-ctx.Done()
	}
	<-done
	<-statsDone
	return err
}

// scheduleCleanup queues a cleanup at start and every day; the queue keeps
// at most one scheduled cleanup pending, so several instances doing this is
// harmless.
func (a *App) scheduleCleanup(ctx context.Context) {
	t := time.NewTicker(24 * time.Hour)
	defer t.Stop()
	for {
		tenantID := a.Current.TenantID()
		_, _, err := tasks.Enqueue(tenancy.WithTenant(ctx, tenantID), a.client,
			maintenance.ScheduledCleanup(tenantID, time.Now().Add(time.Hour)))
		if err != nil && ctx.Err() == nil {
			a.log.Error("queue cleanup", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
