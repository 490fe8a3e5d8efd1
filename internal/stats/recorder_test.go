package stats_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/composerpackage"
	"github.com/cargoman/cargoman/internal/stats"
	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/testenv"
)

// store is a database with a tenant and packages to count against.
type store struct {
	client *ent.Client
	tenant string
	pkgs   map[string]*ent.ComposerPackage
}

func newStore(t *testing.T, b testenv.Backend, names ...string) *store {
	t.Helper()
	db := b.Open(t)
	ctx := tenancy.WithSystem(context.Background())
	ten, err := db.Client.Tenant.Create().SetSlug("t").SetName("T").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := &store{client: db.Client, tenant: ten.ID, pkgs: map[string]*ent.ComposerPackage{}}
	for _, n := range names {
		p, err := db.Client.ComposerPackage.Create().SetTenantID(ten.ID).SetName(n).SetType(composerpackage.TypeArtifact).Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		s.pkgs[n] = p
	}
	return s
}

func (s *store) event(pkg, version, customer string) stats.Event {
	p := s.pkgs[pkg]
	return stats.Event{
		TenantID: s.tenant, PackageID: p.ID, PackageName: p.Name,
		Version: version, VersionNormalized: version + ".0", CustomerID: customer,
	}
}

// row is a stored counter in a comparable form.
type row struct {
	pkg, version, customer, day string
	installs, downloads         int64
}

func (s *store) rows(t *testing.T) map[row]bool {
	t.Helper()
	all, err := s.client.DownloadStat.Query().All(tenancy.WithSystem(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	out := map[row]bool{}
	for _, r := range all {
		if r.TenantID != s.tenant || r.Version+".0" != r.VersionNormalized {
			t.Fatalf("bad row %+v", r)
		}
		out[row{r.PackageName, r.Version, r.CustomerID, r.Day, r.Installs, r.Downloads}] = true
	}
	return out
}

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

var day1 = time.Date(2025, 3, 1, 23, 59, 0, 0, time.UTC)

func TestRecorderAggregatesAndFlushes(t *testing.T) {
	type op struct {
		install                bool
		pkg, version, customer string
		at                     time.Time
	}
	next := day1.Add(2 * time.Minute) // 2025-03-02
	// The day is UTC whatever the clock's zone: 01:00 in UTC+2 is the day before.
	east := time.Date(2025, 3, 2, 1, 0, 0, 0, time.FixedZone("UTC+2", 2*3600))
	cases := []struct {
		name   string
		rounds [][]op
		want   map[row]bool
	}{
		{
			name: "installs and downloads of one key stay apart",
			rounds: [][]op{{
				{true, "acme/a", "1.0.0", "cus_1", day1},
				{true, "acme/a", "1.0.0", "cus_1", day1},
				{false, "acme/a", "1.0.0", "cus_1", day1},
			}},
			want: map[row]bool{{"acme/a", "1.0.0", "cus_1", "2025-03-01", 2, 1}: true},
		},
		{
			name: "each key part makes its own counter",
			rounds: [][]op{{
				{true, "acme/a", "1.0.0", "cus_1", day1},
				{true, "acme/b", "1.0.0", "cus_1", day1},
				{true, "acme/a", "1.1.0", "cus_1", day1},
				{true, "acme/a", "1.0.0", "cus_2", day1},
				{false, "acme/a", "1.0.0", "cus_1", next},
				{false, "acme/a", "1.0.0", "cus_1", east},
			}},
			want: map[row]bool{
				{"acme/a", "1.0.0", "cus_1", "2025-03-01", 1, 1}: true, // east is still 03-01 in UTC
				{"acme/b", "1.0.0", "cus_1", "2025-03-01", 1, 0}: true,
				{"acme/a", "1.1.0", "cus_1", "2025-03-01", 1, 0}: true,
				{"acme/a", "1.0.0", "cus_2", "2025-03-01", 1, 0}: true,
				{"acme/a", "1.0.0", "cus_1", "2025-03-02", 0, 1}: true,
			},
		},
		{
			name: "later flushes add to stored counters",
			rounds: [][]op{
				{{true, "acme/a", "1.0.0", "cus_1", day1}, {false, "acme/a", "1.0.0", "cus_1", day1}},
				{{true, "acme/a", "1.0.0", "cus_1", day1}, {true, "acme/a", "1.0.0", "cus_1", day1}},
				{{false, "acme/a", "1.0.0", "cus_1", day1}},
			},
			want: map[row]bool{{"acme/a", "1.0.0", "cus_1", "2025-03-01", 3, 2}: true},
		},
	}
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				s := newStore(t, b, "acme/a", "acme/b")
				clk := &clock{}
				rec := stats.NewRecorder(s.client, stats.RecorderOptions{Now: clk.Now})
				for _, round := range tc.rounds {
					for _, o := range round {
						clk.Set(o.at)
						if o.install {
							rec.Install(s.event(o.pkg, o.version, o.customer))
						} else {
							rec.Download(s.event(o.pkg, o.version, o.customer))
						}
					}
					if err := rec.Flush(context.Background()); err != nil {
						t.Fatal(err)
					}
					if n := rec.Pending(); n != 0 {
						t.Fatalf("%d counters pending after a flush", n)
					}
				}
				got := s.rows(t)
				for r, present := range tc.want {
					if got[r] != present {
						t.Errorf("row %+v present = %v, want %v (rows: %v)", r, got[r], present, got)
					}
				}
				if n := countTrue(tc.want); len(got) != n {
					t.Errorf("%d rows, want %d: %v", len(got), n, got)
				}
			})
		}
	})
}

func countTrue(m map[row]bool) int {
	n := 0
	for _, v := range m {
		if v {
			n++
		}
	}
	return n
}

// TestRecorderConcurrent records from many goroutines while flushes run;
// under -race it also checks the locking. Every increment must arrive.
func TestRecorderConcurrent(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := newStore(t, b, "acme/a", "acme/b")
		rec := stats.NewRecorder(s.client, stats.RecorderOptions{Now: func() time.Time { return day1 }})
		const workers, each = 8, 300
		ctx, stop := context.WithCancel(context.Background())
		flushed := make(chan struct{})
		var flushes atomic.Int64
		go func() {
			defer close(flushed)
			for ctx.Err() == nil {
				if err := rec.Flush(context.Background()); err != nil {
					t.Error(err)
					return
				}
				flushes.Add(1)
			}
		}()
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					pkg := []string{"acme/a", "acme/b"}[i%2]
					ev := s.event(pkg, fmt.Sprintf("1.%d.0", i%3), fmt.Sprintf("cus_%d", w%4))
					if i%5 == 0 {
						rec.Download(ev)
					} else {
						rec.Install(ev)
					}
				}
			}()
		}
		wg.Wait()
		stop()
		<-flushed
		if err := rec.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		var installs, downloads int64
		for r := range s.rows(t) {
			installs += r.installs
			downloads += r.downloads
		}
		wantDownloads := int64(workers * (each / 5))
		if installs != workers*each-wantDownloads || downloads != wantDownloads {
			t.Fatalf("installs %d downloads %d, want %d and %d (after %d flushes)",
				installs, downloads, workers*each-wantDownloads, wantDownloads, flushes.Load())
		}
	})
}

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRecorderFailedFlushKeepsCounts(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		cases := []struct {
			name       string
			maxPending int
			// keys recorded before the failed flush, and after it.
			before, after []string
			want          map[row]bool
			logged        []string
		}{
			{
				name:   "counts survive and add up",
				before: []string{"1.0.0", "1.0.0", "1.1.0"},
				after:  []string{"1.0.0", "1.2.0"},
				want: map[row]bool{
					{"acme/a", "1.0.0", "cus_1", "2025-03-01", 3, 0}: true,
					{"acme/a", "1.1.0", "cus_1", "2025-03-01", 1, 0}: true,
					{"acme/a", "1.2.0", "cus_1", "2025-03-01", 1, 0}: true,
				},
				logged: []string{"flush download statistics", "counters_kept=2"},
			},
			{
				name:       "at most MaxPending counters are kept",
				maxPending: 2,
				before:     []string{"1.0.0", "1.1.0", "1.2.0"}, // 1.2.0 is over the bound
				after:      []string{"1.3.0", "1.0.0"},          // 1.3.0 too, 1.0.0 adds
				want: map[row]bool{
					{"acme/a", "1.0.0", "cus_1", "2025-03-01", 2, 0}: true,
					{"acme/a", "1.1.0", "cus_1", "2025-03-01", 1, 0}: true,
				},
				logged: []string{"download statistics dropped", "increments=1", "max_pending=2"},
			},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				s := newStore(t, b, "acme/a")
				var logs syncBuffer
				rec := stats.NewRecorder(s.client, stats.RecorderOptions{
					MaxPending: tc.maxPending,
					Now:        func() time.Time { return day1 },
					Log:        slog.New(slog.NewTextHandler(&logs, nil)),
				})
				for _, v := range tc.before {
					rec.Install(s.event("acme/a", v, "cus_1"))
				}
				// A cancelled context makes the transaction fail to begin.
				dead, cancel := context.WithCancel(context.Background())
				cancel()
				if err := rec.Flush(dead); err == nil {
					t.Fatal("flush with a cancelled context succeeded")
				}
				if n := len(s.rows(t)); n != 0 {
					t.Fatalf("%d rows written by a failed flush", n)
				}
				for _, v := range tc.after {
					rec.Install(s.event("acme/a", v, "cus_1"))
				}
				if err := rec.Flush(context.Background()); err != nil {
					t.Fatal(err)
				}
				got := s.rows(t)
				if len(got) != len(tc.want) {
					t.Errorf("rows %v, want %v", got, tc.want)
				}
				for r := range tc.want {
					if !got[r] {
						t.Errorf("missing %+v in %v", r, got)
					}
				}
				for _, l := range tc.logged {
					if !strings.Contains(logs.String(), l) {
						t.Errorf("log lacks %q:\n%s", l, logs.String())
					}
				}
			})
		}
	})
}

// TestRecorderDeletedPackage: counts of a package deleted before the flush
// are dropped instead of failing every later flush on the foreign key.
func TestRecorderDeletedPackage(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := newStore(t, b, "acme/a", "acme/b")
		rec := stats.NewRecorder(s.client, stats.RecorderOptions{Now: func() time.Time { return day1 }})
		rec.Install(s.event("acme/a", "1.0.0", "cus_1"))
		rec.Install(s.event("acme/b", "1.0.0", "cus_1"))
		ctx := tenancy.WithSystem(context.Background())
		if err := s.client.ComposerPackage.DeleteOneID(s.pkgs["acme/b"].ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if err := rec.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		want := row{"acme/a", "1.0.0", "cus_1", "2025-03-01", 1, 0}
		if got := s.rows(t); len(got) != 1 || !got[want] {
			t.Fatalf("rows %v, want only %+v", got, want)
		}
	})
}

// TestRecorderRunFlushesAndCloses: Run flushes on its interval and once
// more when its context ends.
func TestRecorderRunFlushesAndCloses(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := newStore(t, b, "acme/a")
		rec := stats.NewRecorder(s.client, stats.RecorderOptions{Interval: 20 * time.Millisecond, Now: func() time.Time { return day1 }})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); rec.Run(ctx) }()

		rec.Install(s.event("acme/a", "1.0.0", "cus_1"))
		deadline := time.Now().Add(10 * time.Second)
		for len(s.rows(t)) == 0 {
			if time.Now().After(deadline) {
				t.Fatal("Run did not flush")
			}
			time.Sleep(10 * time.Millisecond)
		}
		rec.Download(s.event("acme/a", "1.0.0", "cus_1"))
		cancel()
		<-done
		want := row{"acme/a", "1.0.0", "cus_1", "2025-03-01", 1, 1}
		if got := s.rows(t); len(got) != 1 || !got[want] {
			t.Fatalf("rows %v, want %+v", got, want)
		}
		// A nil recorder records and flushes nothing, without failing.
		var none *stats.Recorder
		none.Install(s.event("acme/a", "1.0.0", "cus_1"))
		if err := none.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}
