package main

import (
	"flag"
	"fmt"
	"path/filepath"

	"github.com/cargoman/cargoman/internal/database"
)

// config is the server configuration. Every setting is an environment
// variable and a flag of the same meaning; flags win.
type config struct {
	ListenAddr  string
	PublicURL   string
	DataDir     string
	DatabaseURL string
	AdminToken  string
}

// setting describes one configuration value, for flags and the README.
type setting struct {
	env, flag, def, usage string
	dst                   *string
}

func (c *config) settings() []setting {
	return []setting{
		{"LISTEN_ADDR", "listen-addr", ":8080", "address to listen on", &c.ListenAddr},
		{"PUBLIC_URL", "public-url", "http://localhost:8080", "URL clients reach the server at, used in absolute links", &c.PublicURL},
		{"DATA_DIR", "data-dir", "./data", "directory for the embedded database and stored files", &c.DataDir},
		{"DATABASE_URL", "database-url", "", "postgres://... for PostgreSQL; default: SQLite file cargoman.db in DATA_DIR", &c.DatabaseURL},
		{"ADMIN_TOKEN", "admin-token", "", "root API token; if unset, one is generated at first start and printed once", &c.AdminToken},
	}
}

// parseConfig reads the environment, then flags from args.
func parseConfig(name string, args []string, getenv func(string) string) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	for _, s := range c.settings() {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		fs.StringVar(s.dst, s.flag, def, fmt.Sprintf("%s (env %s)", s.usage, s.env))
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = database.SQLiteURL(filepath.Join(c.DataDir, "cargoman.db"))
	}
	return c, nil
}
