// Package app assembles a running Cargoman from its configuration: the
// services, the HTTP handler and the background workers. cmd/cargoman and
// the test harness both build through it, so they run the same wiring.
package app

import (
	"context"
	"fmt"
	"github.com/cargoman/cargoman/graph"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/task"
	"github.com/cargoman/cargoman/internal/access"
	"github.com/cargoman/cargoman/internal/auth"
	"github.com/cargoman/cargoman/internal/blob"
	"github.com/cargoman/cargoman/internal/bootstrap"
	"github.com/cargoman/cargoman/internal/cachestamp"
	"github.com/cargoman/cargoman/internal/database"
	"github.com/cargoman/cargoman/internal/gitsync"
	"github.com/cargoman/cargoman/internal/hooks"
	"github.com/cargoman/cargoman/internal/jwtauth"
	"github.com/cargoman/cargoman/internal/maintenance"
	"github.com/cargoman/cargoman/internal/packages"
	"github.com/cargoman/cargoman/internal/secretbox"
	"github.com/cargoman/cargoman/internal/server"
	"github.com/cargoman/cargoman/internal/stats"
	"github.com/cargoman/cargoman/internal/tasks"
	"github.com/cargoman/cargoman/internal/tenancy"
)

// Config is what the app needs to know.
type Config struct {
	PublicURL string
	DataDir   string
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
	// Workers runs background tasks in this process; WorkerConcurrency
	// of them at once.
	Workers           bool
	WorkerConcurrency int
	// ServeAPI serves HTTP; false for worker-only instances.
	ServeAPI bool
	// StatsFlushInterval is how often counted installs and downloads are
	// written; stats.DefaultInterval (1 s) when zero.
	StatsFlushInterval time.Duration
	// GraphQL are the GraphQL limits and introspection policy; zero fields
	// take graph's defaults.
	GraphQL graph.Settings
}

// App is an assembled Cargoman.
type App struct {
	Handler  http.Handler
	Boot     bootstrap.Result
	Usage    *auth.UsageRecorder
	Stamps   *cachestamp.Stamps
	Stats    *stats.Recorder
	Packages *packages.Service
	Access   *access.Service
	Syncer   *gitsync.Syncer
	Pool     *tasks.Pool
	log      *slog.Logger
	workers  bool
	client   *ent.Client
}

// wakerFunc adapts a function to tasks.Waker.
type wakerFunc func()

func (f wakerFunc) Wake() { f() }

// New assembles the app over a migrated database.
func New(ctx context.Context, db *database.DB, cfg Config, log *slog.Logger) (*App, error) {
	boot, err := bootstrap.Run(ctx, db.Client, cfg.AdminToken)
	if err != nil {
		return nil, err
	}
	blobs, err := blob.NewFS(filepath.Join(cfg.DataDir, "blobs"))
	if err != nil {
		return nil, fmt.Errorf("app: blob store: %w", err)
	}
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
	pkgs := packages.New(packages.Options{
		Client: db.Client, Blobs: blobs, Box: box, PublicURL: cfg.PublicURL,
		AllowLocal: cfg.AllowLocalRepositories, MirrorsDir: mirrors, Waker: wake, Log: log,
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
	stamps := cachestamp.New(db.Client)
	if err := stamps.Refresh(ctx); err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}

	reg := &tasks.Registry{}
	syncer := gitsync.New(gitsync.Options{
		Client: db.Client, Packages: pkgs, Blobs: blobs, Box: box,
		MirrorsDir: mirrors, AllowLocal: cfg.AllowLocalRepositories, Log: log,
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
	maintenance.New(db.Client, pool.Queue(), blobs, maintenance.Retention{}, log).Register(reg)

	a := &App{Boot: boot, Usage: usage, Stamps: stamps, Stats: counts, Packages: pkgs, Access: acc, Syncer: syncer, Pool: pool, log: log, workers: cfg.Workers, client: db.Client}
	if cfg.ServeAPI {
		authn := auth.NewAuthenticator(db.Client, boot.RootHash, boot.TenantID, usage)
		authn.AcceptCustomers(acc)
		webhooks := hooks.New(db.Client, box, boot.TenantID, []byte(cfg.WebhookSecret), pool, log)
		webhooks.AcceptCustomerTokens(acc)
		a.Handler, err = server.New(server.Options{
			DB:            db,
			Authenticator: authn,
			Packages:      pkgs,
			Access:        acc,
			Usage:         usage,
			Stats:         counts,
			Webhooks:      webhooks,
			PublicURL:     cfg.PublicURL,
			Log:           log,
			Stamps:        stamps,
			GraphQL:       cfg.GraphQL,
		})
		if err != nil {
			return nil, err
		}
	}
	return a, nil
}

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
// at most one pending, so several instances doing this is harmless.
func (a *App) scheduleCleanup(ctx context.Context) {
	t := time.NewTicker(24 * time.Hour)
	defer t.Stop()
	for {
		_, _, err := tasks.Enqueue(tenancy.WithTenant(ctx, a.Boot.TenantID), a.client, tasks.Spec{
			TenantID: a.Boot.TenantID, Kind: task.KindCleanup, Key: a.Boot.TenantID, RunAt: time.Now().Add(time.Hour),
		})
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
