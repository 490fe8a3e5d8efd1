package database_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/cargoman/cargoman/internal/database"
	"github.com/cargoman/cargoman/internal/testenv"
)

// TestConcurrentMigrations starts several migrations against one fresh
// database at once, as several instances starting together would.
func TestConcurrentMigrations(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		first := b.Open(t) // already migrated once
		dsn := first.URL
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				db, err := database.Open(dsn)
				if err != nil {
					errs <- err
					return
				}
				defer db.Close()
				errs <- db.Migrate(context.Background())
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("concurrent migration: %v", err)
			}
		}
		if err := first.Ping(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestOpenRejectsUnknownSchemes(t *testing.T) {
	for _, url := range []string{"mysql://u:hunter2@h/db", "sqlite://"} {
		_, err := database.Open(url)
		if err == nil {
			t.Fatalf("Open(%q) succeeded", url)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("error leaks the password: %v", err)
		}
	}
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Log("TEST_DATABASE_URL not set: PostgreSQL paths not exercised")
	}
}
