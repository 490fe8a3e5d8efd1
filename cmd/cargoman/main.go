// Command cargoman is the Cargoman server: a private Composer registry.
//
//	cargoman serve     run the server (migrates the database first)
//	cargoman migrate   migrate the database and exit
//	cargoman version   print the version
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/cargoman/cargoman/internal/app"
	"github.com/cargoman/cargoman/internal/bodylimit"
	"github.com/cargoman/cargoman/internal/database"
	"github.com/cargoman/cargoman/internal/netpolicy"
	"github.com/cargoman/cargoman/internal/server"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "cargoman:", err)
		os.Exit(1)
	}
}

// run executes one command; it returns when ctx ends (SIGINT, SIGTERM).
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: cargoman serve|migrate|version [flags]")
	}
	logger := func(cfg *config) *slog.Logger {
		return slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.level}))
	}
	switch args[0] {
	case "version":
		fmt.Fprintln(stdout, "cargoman", versionString())
		return nil
	case "migrate":
		cfg, err := parseConfig("migrate", args[1:], getenv, stderr)
		if err != nil {
			return err
		}
		db, err := openAndMigrate(ctx, cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		logger(cfg).Info("database migrated", "dialect", db.Dialect)
		return nil
	case "serve":
		cfg, err := parseConfig("serve", args[1:], getenv, stderr)
		if err != nil {
			return err
		}
		return serve(ctx, cfg, logger(cfg), stdout)
	}
	return fmt.Errorf("unknown command %q: want serve, migrate or version", args[0])
}

func versionString() string {
	if info, ok := debug.ReadBuildInfo(); ok && version == "dev" {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				return version + "+" + s.Value
			}
		}
	}
	return version
}

func openAndMigrate(ctx context.Context, cfg *config) (*database.DB, error) {
	db, err := database.Open(cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// serve runs the server until ctx ends, then drains in-flight requests
// and lets running tasks finish.
func serve(ctx context.Context, cfg *config, log *slog.Logger, stdout io.Writer) error {
	db, err := openAndMigrate(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := app.New(ctx, db, app.Config{
		PublicURL:                cfg.PublicURL,
		TrustedProxies:           cfg.TrustedProxies,
		DataDir:                  cfg.DataDir,
		AdminToken:               cfg.AdminToken,
		EncryptionKey:            cfg.EncryptionKey,
		WebhookSecret:            cfg.WebhookSecret,
		JWTSecret:                cfg.JWTSecret,
		AllowLocalRepositories:   cfg.AllowLocalRepos,
		AllowInsecureGitHTTP:     cfg.AllowInsecureHTTP,
		Workers:                  cfg.Mode != "api",
		WorkerConcurrency:        cfg.WorkerConcurrency,
		ServeAPI:                 cfg.Mode != "worker",
		WebhookDeliveryRetention: time.Duration(cfg.WebhookDeliveryRetentionDays) * 24 * time.Hour,
		Limits:                   bodylimit.Limits{JSON: int64(cfg.MaxBodyBytes)},
		AllowedGitHosts:          netpolicy.ParseHosts(cfg.AllowedGitHosts),
		DenyPrivateNetworks:      cfg.denyPrivate,
		GraphQL:                  cfg.graphQL(),
	}, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := a.Close(); err != nil {
			log.Error("remove temporary files", "err", err)
		}
	}()
	bg, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	background := make(chan error, 1)
	go func() { background <- a.Run(bg) }()
	defer func() {
		stopBackground()
		if err := <-background; err != nil {
			log.Error("background work", "err", err)
		}
	}()

	if cfg.Mode == "worker" {
		fmt.Fprintf(stdout, "Cargoman %s worker running (database: %s)\n", versionString(), db.Dialect)
		<-ctx.Done()
		log.Info("shutting down: letting running tasks finish")
		return nil
	}
	srv := server.NewHTTPServer(a.Handler, server.DefaultTimeouts)
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.ListenAddr, err)
	}
	listenErr := make(chan error, 1)
	go func() { listenErr <- srv.Serve(ln) }()

	fmt.Fprintf(stdout, "Cargoman %s listening on %s\n  GraphQL:    %s/graphql\n  REST:       %s/api/v1\n  Database:   %s\n",
		versionString(), ln.Addr(), cfg.PublicURL, cfg.PublicURL, db.Dialect)
	if a.Boot.GeneratedRootToken != "" {
		fmt.Fprintf(stdout, "\nGenerated root ADMIN_TOKEN (shown only this once; only its hash is stored):\n\n  %s\n\n", a.Boot.GeneratedRootToken)
	}

	select {
	case err := <-listenErr:
		return fmt.Errorf("listen on %s: %w", cfg.ListenAddr, err)
	case <-ctx.Done():
	}
	log.Info("shutting down: draining in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
