// Command cargoman is the Cargoman server: a private Composer registry.
// `cargoman help` lists its commands; each takes only its own flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"entgo.io/ent/dialect"

	"github.com/cargoman/cargoman/internal/app"
	"github.com/cargoman/cargoman/internal/bodylimit"
	"github.com/cargoman/cargoman/internal/bootstrap"
	"github.com/cargoman/cargoman/internal/database"
	"github.com/cargoman/cargoman/internal/netpolicy"
	"github.com/cargoman/cargoman/internal/server"
	"github.com/cargoman/cargoman/internal/suggest"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cargoman:", err)
	}
	stop()
	os.Exit(exitCode(err))
}

// exitCode is 0 on success, 2 for a mistyped command line, 1 otherwise.
func exitCode(err error) int {
	var usage *usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &usage):
		return 2
	}
	return 1
}

// command is one thing cargoman does.
type command struct {
	// name is one word, or two for a subcommand ("admin-token reset").
	name, summary string
	// settings are the environment names of the settings it takes.
	settings []string
}

// commands are every command, in the order help lists them.
func commands() []*command {
	var all []string
	for _, s := range (&config{}).settings() {
		all = append(all, s.env)
	}
	return []*command{
		{name: "serve", summary: "migrate the database, then serve the API and run background tasks", settings: all},
		{name: "migrate", summary: "migrate the database and exit", settings: dbSettings},
		{name: "admin-token reset", summary: "print a new root token and revoke the old one (when the generated one was lost)", settings: dbSettings},
		{name: "version", summary: "print the version"},
		{name: "help", summary: "list the commands, or show one's flags: cargoman help serve"},
	}
}

// commandsWithSetting names the commands that take flag name.
func commandsWithSetting(name string) []string {
	var env string
	for _, s := range (&config{}).settings() {
		if s.flag == name {
			env = s.env
		}
	}
	var names []string
	for _, c := range commands() {
		if slices.Contains(c.settings, env) {
			names = append(names, c.name)
		}
	}
	return names
}

// printUsage shows the command's flags.
func (c *command) printUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: cargoman %s", c.name)
	if len(c.settings) > 0 {
		fmt.Fprint(w, " [flags]")
	}
	fmt.Fprintf(w, "\n\n%s%s.\n", strings.ToUpper(c.summary[:1]), c.summary[1:])
	if len(c.settings) > 0 {
		fmt.Fprint(w, "\nFlags (each also an environment variable; flags win):\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

// printCommands is the top-level help.
func printCommands(w io.Writer) {
	fmt.Fprint(w, "Cargoman, a private Composer registry.\n\nUsage: cargoman <command> [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-18s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nRun cargoman <command> -help for a command's flags.\n")
}

// findCommand resolves args to a command and the arguments left for it.
func findCommand(args []string) (*command, []string, error) {
	var firsts []string
	for _, c := range commands() {
		first, _, _ := strings.Cut(c.name, " ")
		if !slices.Contains(firsts, first) {
			firsts = append(firsts, first)
		}
	}
	if !slices.Contains(firsts, args[0]) {
		msg := fmt.Sprintf("unknown command %q", args[0])
		if guess, ok := suggest.Closest(args[0], firsts); ok {
			if c, _, err := findCommand(append([]string{guess}, args[1:]...)); err == nil && c.name != guess {
				guess = c.name
			}
			return nil, nil, &usageError{fmt.Sprintf("%s; did you mean %q?", msg, guess)}
		}
		return nil, nil, &usageError{msg + " (cargoman help lists the commands)"}
	}
	var subs []string
	for _, c := range commands() {
		if c.name == args[0] {
			return c, args[1:], nil
		}
		if sub, ok := strings.CutPrefix(c.name, args[0]+" "); ok {
			subs = append(subs, sub)
		}
	}
	if len(args) < 2 || strings.HasPrefix(args[1], "-") {
		return nil, nil, &usageError{fmt.Sprintf("%s needs a subcommand: %s", args[0], strings.Join(subs, ", "))}
	}
	if slices.Contains(subs, args[1]) {
		for _, c := range commands() {
			if c.name == args[0]+" "+args[1] {
				return c, args[2:], nil
			}
		}
	}
	msg := fmt.Sprintf("unknown command %q", args[0]+" "+args[1])
	if guess, ok := suggest.Closest(args[1], subs); ok {
		return nil, nil, &usageError{fmt.Sprintf("%s; did you mean %q?", msg, args[0]+" "+guess)}
	}
	return nil, nil, &usageError{fmt.Sprintf("%s: %s takes %s", msg, args[0], strings.Join(subs, ", "))}
}

// run executes one command; it returns when ctx ends (SIGINT, SIGTERM).
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		printCommands(stderr)
		return &usageError{"no command given"}
	}
	switch args[0] {
	case "-h", "-help", "--help":
		args = []string{"help"}
	}
	cmd, rest, err := findCommand(args)
	if err != nil {
		return err
	}
	if cmd.name == "help" && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		// help <command>: that command's usage.
		if cmd, _, err = findCommand(rest); err != nil {
			return err
		}
		rest = []string{"-help"}
	}
	cfg, err := parseConfig(cmd, rest, getenv, stdout)
	if errors.Is(err, errHelpShown) {
		return nil
	}
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.level}))
	switch cmd.name {
	case "help":
		printCommands(stdout)
		return nil
	case "version":
		fmt.Fprintln(stdout, "cargoman", versionString())
		return nil
	case "migrate":
		db, err := openAndMigrate(ctx, cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		log.Info("database migrated", "dialect", db.Dialect)
		return nil
	case "admin-token reset":
		return resetRootToken(ctx, cfg, getenv, stdout)
	case "serve":
		return serve(ctx, cfg, log, stdout)
	}
	return fmt.Errorf("command %q has no implementation", cmd.name)
}

// resetRootToken stores a new root token in place of the old and prints
// it: the recovery path when the generated token was lost. ADMIN_TOKEN,
// when set, is the root token and wins over the stored one, so resetting
// would change nothing.
func resetRootToken(ctx context.Context, cfg *config, getenv func(string) string, stdout io.Writer) error {
	if getenv("ADMIN_TOKEN") != "" {
		return errors.New("ADMIN_TOKEN is set: the root token is the one in the environment, not the stored one; to change it, set another ADMIN_TOKEN and restart the servers")
	}
	// The database is read as it is, not migrated: a wrong DATA_DIR or
	// DATABASE_URL must not get a schema and a token nobody serves with.
	db, err := database.Open(cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	// A PostgreSQL URL may hold a password: it is named, not shown.
	where := "the PostgreSQL database at DATABASE_URL"
	if db.Dialect == dialect.SQLite {
		where = cfg.DatabaseURL
	}
	gen, err := bootstrap.ReadGeneration(ctx, db.Client)
	if err != nil {
		return fmt.Errorf("%s is not a Cargoman database (check DATA_DIR or DATABASE_URL): %w", where, err)
	}
	if gen == "" {
		return fmt.Errorf("%s was never served by Cargoman (check DATA_DIR or DATABASE_URL)", where)
	}
	token, err := bootstrap.ResetRootToken(ctx, db.Client)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "New root ADMIN_TOKEN (shown only this once; only its hash is stored; running servers refuse the old one within seconds):\n\n  %s\n\n", token)
	return nil
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

// listenURL is the URL of a listening address ("host:port"): an
// unspecified host (all interfaces) is reached as localhost.
func listenURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// serve runs the server until ctx ends, then drains in-flight requests
// and lets running tasks finish. It binds its port before touching
// DATA_DIR or the database, so a taken port fails before a first start
// generates a root token, and prints a generated token only once it is
// stored and the server answers.
func serve(ctx context.Context, cfg *config, log *slog.Logger, stdout io.Writer) error {
	var ln net.Listener
	addr := cfg.ListenAddr
	if cfg.Mode != "worker" {
		var err error
		if ln, err = net.Listen("tcp", cfg.ListenAddr); err != nil {
			return fmt.Errorf("listen on %s: %w", cfg.ListenAddr, err)
		}
		defer ln.Close()
		addr = ln.Addr().String()
	}
	// The banner names PUBLIC_URL or, unset, the address listened on;
	// the server itself builds URLs from each request then (origin).
	bannerURL := cfg.PublicURL
	if bannerURL == "" {
		bannerURL = listenURL(addr)
	}
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
		printGeneratedToken(stdout, a.Boot)
		<-ctx.Done()
		log.Info("shutting down: letting running tasks finish")
		return nil
	}
	srv := server.NewHTTPServer(a.Handler, server.DefaultTimeouts)
	listenErr := make(chan error, 1)
	go func() { listenErr <- srv.Serve(ln) }()

	fmt.Fprintf(stdout, "Cargoman %s listening on %s\n  GraphQL:    %s/graphql\n  REST:       %s/api/v1\n  Database:   %s\n",
		versionString(), addr, bannerURL, bannerURL, db.Dialect)
	printGeneratedToken(stdout, a.Boot)

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

// printGeneratedToken shows a root token this start generated, the only
// time it is ever shown.
func printGeneratedToken(w io.Writer, boot bootstrap.Result) {
	if boot.GeneratedRootToken != "" {
		fmt.Fprintf(w, "\nGenerated root ADMIN_TOKEN (shown only this once; only its hash is stored; lost: cargoman admin-token reset):\n\n  %s\n\n", boot.GeneratedRootToken)
	}
}
