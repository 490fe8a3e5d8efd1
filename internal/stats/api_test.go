package stats_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cargoman/cargoman/ent/packageversion"
	"github.com/cargoman/cargoman/internal/app"
	"github.com/cargoman/cargoman/internal/casing"
	"github.com/cargoman/cargoman/internal/stats"
	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/testenv"
)

const root = testenv.RootToken

// apiEnv is a server with artifact packages acme/lib (1.0.0, 1.1.0, 2.0.0)
// and acme/other (1.0.0); customer alice holds acme/lib ^1.0, bob holds
// both packages without limit. Its recorder flushes only hourly, so what
// the API shows right after a request is there because reading flushes.
type apiEnv struct {
	s                *testenv.Server
	alice, bob       string // customer ids
	aliceTok, bobTok string
	dists            map[string]string // "acme/lib 1.1.0" -> dist path
	viewer           string
}

func mustStatus(t *testing.T, r *testenv.Response, want int, what string) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("%s: %d %s", what, r.Status, r.Body)
	}
}

func zipOf(t *testing.T, name, version string) []byte {
	t.Helper()
	return testenv.Zip(t, map[string]string{
		"lib/composer.json": testenv.ComposerJSON(name, ""),
		"lib/src/A.php":     "<?php // " + version,
	})
}

func setupAPI(t *testing.T, b testenv.Backend) *apiEnv {
	s := testenv.StartServer(t, b, func(c *app.Config) { c.StatsFlushInterval = time.Hour })
	e := &apiEnv{s: s, dists: map[string]string{}}
	for pkg, versions := range map[string][]string{"acme/lib": {"1.0.0", "1.1.0", "2.0.0"}, "acme/other": {"1.0.0"}} {
		mustStatus(t, s.Do(t, http.MethodPost, "/api/v1/packages", root, map[string]any{"name": pkg, "type": "artifact"}), http.StatusCreated, "create "+pkg)
		for _, v := range versions {
			r := s.Raw(t, http.MethodPost, "/api/v1/packages/"+pkg+"/versions?version="+v, "", bytes.NewReader(zipOf(t, pkg, v)),
				map[string]string{"Authorization": "Bearer " + root, "Content-Type": "application/zip"})
			mustStatus(t, r, http.StatusCreated, "upload "+pkg+" "+v)
		}
	}
	customer := func(name string, grants map[string]string) (id, token string) {
		var cu struct{ ID string }
		r := s.Do(t, http.MethodPost, "/api/v1/customers", root, map[string]any{"name": name})
		mustStatus(t, r, http.StatusCreated, "create customer")
		r.JSON(t, &cu)
		for pkg, c := range grants {
			mustStatus(t, s.Do(t, http.MethodPost, "/api/v1/customers/"+cu.ID+"/packages", root, map[string]any{"package": pkg, "constraint": c}), http.StatusCreated, "grant")
		}
		var tok struct {
			PlainToken string `json:"plain_token"`
		}
		r = s.Do(t, http.MethodPost, "/api/v1/customers/"+cu.ID+"/tokens", root, map[string]any{"name": "ci", "scope": "download"})
		mustStatus(t, r, http.StatusCreated, "create token")
		r.JSON(t, &tok)
		return cu.ID, tok.PlainToken
	}
	e.alice, e.aliceTok = customer("Alice", map[string]string{"acme/lib": "^1.0"})
	e.bob, e.bobTok = customer("Bob", map[string]string{"acme/lib": "*", "acme/other": "*"})
	for _, pkg := range []string{"acme/lib", "acme/other"} {
		r := s.Raw(t, http.MethodGet, "/p2/"+pkg+".json", e.bobTok, nil, nil)
		mustStatus(t, r, http.StatusOK, "p2 "+pkg)
		var doc struct {
			Packages map[string][]struct {
				Version string
				Dist    struct{ URL string }
			}
		}
		r.JSON(t, &doc)
		for _, v := range doc.Packages[pkg] {
			e.dists[pkg+" "+v.Version] = strings.TrimPrefix(v.Dist.URL, s.URL)
		}
	}
	if len(e.dists) != 4 {
		t.Fatalf("dists: %v", e.dists)
	}
	e.viewer, _ = s.AdminToken(t, "viewer")
	return e
}

// counts reads a customer's installs and downloads of acme/lib by version.
func (e *apiEnv) counts(t *testing.T, customer string) map[string][2]int64 {
	t.Helper()
	r := e.s.Do(t, http.MethodGet, "/api/v1/stats/packages/acme/lib?customer="+customer, e.viewer, nil)
	mustStatus(t, r, http.StatusOK, "package stats")
	var ps struct {
		Versions []struct {
			Version             string
			Installs, Downloads int64
		}
	}
	r.JSON(t, &ps)
	out := map[string][2]int64{}
	for _, v := range ps.Versions {
		out[v.Version] = [2]int64{v.Installs, v.Downloads}
	}
	return out
}

// TestComposerRequestsAreCounted drives notify-batch and dist downloads
// and checks after each request what the API shows at once.
func TestComposerRequestsAreCounted(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		e := setupAPI(t, b)
		want := map[string]map[string][2]int64{e.alice: {}, e.bob: {}}
		add := func(customer, version string, installs, downloads int64) {
			c := want[customer][version]
			want[customer][version] = [2]int64{c[0] + installs, c[1] + downloads}
		}
		notify := func(entries ...string) string {
			var parts []string
			for _, en := range entries {
				name, version, _ := strings.Cut(en, " ")
				parts = append(parts, fmt.Sprintf(`{"name":%q,"version":%q}`, name, version))
			}
			return `{"downloads":[` + strings.Join(parts, ",") + `]}`
		}
		cases := []struct {
			name     string
			token    string
			method   string
			path     string
			body     string
			header   map[string]string
			status   int
			customer string
			// counted: version -> installs, downloads added for customer.
			counted map[string][2]int64
		}{
			{name: "notify normalized version", token: e.aliceTok, path: "/downloads/", body: notify("acme/lib 1.1.0.0"),
				status: 200, customer: e.alice, counted: map[string][2]int64{"1.1.0": {1, 0}}},
			{name: "notify version as shown", token: e.aliceTok, path: "/downloads/", body: notify("acme/lib 1.0.0"),
				status: 200, customer: e.alice, counted: map[string][2]int64{"1.0.0": {1, 0}}},
			{name: "notify name in capitals", token: e.aliceTok, path: "/downloads/", body: notify("Acme/Lib 1.1.0.0"),
				status: 200, customer: e.alice, counted: map[string][2]int64{"1.1.0": {1, 0}}},
			{name: "notify version outside the grant is ignored", token: e.aliceTok, path: "/downloads/", body: notify("acme/lib 2.0.0.0"),
				status: 200, customer: e.alice},
			{name: "notify unentitled package is ignored", token: e.aliceTok, path: "/downloads/", body: notify("acme/other 1.0.0.0"),
				status: 200, customer: e.alice},
			{name: "notify unknown version is ignored", token: e.aliceTok, path: "/downloads/", body: notify("acme/lib 9.9.9.9"),
				status: 200, customer: e.alice},
			{name: "notify unknown package is ignored", token: e.aliceTok, path: "/downloads/", body: notify("acme/nope 1.0.0.0"),
				status: 200, customer: e.alice},
			{name: "notify batch counts each version once", token: e.bobTok, path: "/downloads/",
				body:   notify("acme/lib 2.0.0.0", "acme/other 1.0.0.0", "acme/lib 2.0.0.0", "acme/lib 2.0.0", "acme/lib 7.0.0.0"),
				status: 200, customer: e.bob, counted: map[string][2]int64{"2.0.0": {1, 0}}},
			{name: "invalid notify counts nothing", token: e.bobTok, path: "/downloads/", body: `{"downloads":[{"name":"acme/lib","version":"2.0.0.0"},{"name":"x"}]}`,
				status: 400, customer: e.bob},
			{name: "dist download", token: e.aliceTok, method: http.MethodGet, path: e.dists["acme/lib 1.1.0"],
				status: 200, customer: e.alice, counted: map[string][2]int64{"1.1.0": {0, 1}}},
			{name: "dist HEAD is not a download", token: e.aliceTok, method: http.MethodHead, path: e.dists["acme/lib 1.1.0"],
				status: 200, customer: e.alice},
			{name: "dist Range request is not a download", token: e.aliceTok, method: http.MethodGet, path: e.dists["acme/lib 1.1.0"],
				header: map[string]string{"Range": "bytes=0-9"}, status: 206, customer: e.alice},
			{name: "dist outside the grant", token: e.aliceTok, method: http.MethodGet, path: e.dists["acme/lib 2.0.0"],
				status: 404, customer: e.alice},
			{name: "dist of another customer", token: e.bobTok, method: http.MethodGet, path: e.dists["acme/lib 2.0.0"],
				status: 200, customer: e.bob, counted: map[string][2]int64{"2.0.0": {0, 1}}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				method := c.method
				var body io.Reader
				if method == "" {
					method, body = http.MethodPost, strings.NewReader(c.body)
				}
				r := e.s.Raw(t, method, c.path, c.token, body, c.header)
				mustStatus(t, r, c.status, c.name)
				if c.path == "/downloads/" && c.status == 200 && !strings.Contains(string(r.Body), `"status":"success"`) {
					t.Fatalf("notify answered %s", r.Body)
				}
				for v, n := range c.counted {
					add(c.customer, v, n[0], n[1])
				}
				for cu, w := range want {
					if got := e.counts(t, cu); !reflect.DeepEqual(got, w) {
						t.Fatalf("counts of %s = %v, want %v", cu, got, w)
					}
				}
			})
		}
		// Downloads through the admin API are not customer usage.
		mustStatus(t, e.s.Do(t, http.MethodGet, "/api/v1/packages/acme/lib/download/1.0.0", root, nil), 200, "admin download")
		if got := e.counts(t, e.alice); !reflect.DeepEqual(got, want[e.alice]) {
			t.Fatalf("after an admin download: %v", got)
		}
	})
}

// snake turns GraphQL's camelCase keys into REST's snake_case.
func snake(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[casing.Snake(k)] = snake(val)
		}
		return out
	case []any:
		for i := range x {
			x[i] = snake(x[i])
		}
	}
	return v
}

func decode(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	return v
}

// zeroDays is the JSON of days from..to (inclusive) without activity,
// except those in active ("YYYY-MM-DD" -> [installs, downloads]).
func zeroDays(from, to string, active map[string][2]int) string {
	start, _ := time.Parse(stats.DayLayout, from)
	end, _ := time.Parse(stats.DayLayout, to)
	var parts []string
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		day := d.Format(stats.DayLayout)
		c := active[day]
		parts = append(parts, fmt.Sprintf(`{"date":%q,"installs":%d,"downloads":%d}`, day, c[0], c[1]))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// TestStatisticsAPI checks each route in REST and GraphQL over activity
// today and on 2025-03-01.
func TestStatisticsAPI(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		e := setupAPI(t, b)
		post := func(token, body string) {
			mustStatus(t, e.s.Raw(t, http.MethodPost, "/downloads/", token, strings.NewReader(body), nil), 200, "notify")
		}
		post(e.aliceTok, `{"downloads":[{"name":"acme/lib","version":"1.1.0.0"},{"name":"acme/lib","version":"1.0.0.0"}]}`)
		post(e.aliceTok, `{"downloads":[{"name":"acme/lib","version":"1.1.0.0"}]}`)
		post(e.bobTok, `{"downloads":[{"name":"acme/lib","version":"2.0.0.0"},{"name":"acme/other","version":"1.0.0.0"}]}`)
		post(e.bobTok, `{"downloads":[{"name":"acme/lib","version":"2.0.0.0"}]}`)
		mustStatus(t, e.s.Raw(t, http.MethodGet, e.dists["acme/lib 1.1.0"], e.aliceTok, nil, nil), 200, "dist")
		mustStatus(t, e.s.Raw(t, http.MethodGet, e.dists["acme/lib 2.0.0"], e.bobTok, nil, nil), 200, "dist")
		// One install on an earlier day, counted by a recorder of its own.
		old := stats.NewRecorder(e.s.DB.Client, stats.RecorderOptions{Now: func() time.Time { return day1 }})
		old.Install(stats.Event{TenantID: e.s.TenantID, PackageID: packageID(t, e, "acme/lib"), PackageName: "acme/lib",
			Version: "1.0.0", VersionNormalized: "1.0.0.0", CustomerID: e.alice})
		if err := old.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		today := now.Format(stats.DayLayout)
		monthAgo := now.AddDate(0, 0, -29).Format(stats.DayLayout)
		tomorrow := now.AddDate(0, 0, 1).Format(stats.DayLayout)

		cases := []struct {
			name  string
			rest  string
			query string
			vars  map[string]any
			want  string
		}{
			{
				name:  "overview: all-time totals, top packages of the last 30 days",
				rest:  "/api/v1/stats",
				query: `query { downloadStats { installs downloads packages versions customers from to topPackages { package installs downloads } } }`,
				want: `{"installs":7,"downloads":2,"packages":2,"versions":4,"customers":2,"from":"` + monthAgo + `","to":"` + today + `",
				  "top_packages":[{"package":"acme/lib","installs":5,"downloads":2},{"package":"acme/other","installs":1,"downloads":0}]}`,
			},
			{
				name:  "overview of another window, limited",
				rest:  "/api/v1/stats?from=2025-03-01&to=2025-03-01&limit=1",
				query: `query($from: String, $to: String, $limit: Int) { downloadStats(from: $from, to: $to, limit: $limit) { installs downloads packages versions customers from to topPackages { package installs downloads } } }`,
				vars:  map[string]any{"from": "2025-03-01", "to": "2025-03-01", "limit": 1},
				want: `{"installs":7,"downloads":2,"packages":2,"versions":4,"customers":2,"from":"2025-03-01","to":"2025-03-01",
				  "top_packages":[{"package":"acme/lib","installs":1,"downloads":0}]}`,
			},
			{
				name:  "package with versions newest first",
				rest:  "/api/v1/stats/packages/acme/lib",
				query: `query($p: String!) { packageDownloadStats(package: $p) { package customer installs downloads customers versions { version versionNormalized installs downloads } } }`,
				vars:  map[string]any{"p": "acme/lib"},
				want: `{"package":"acme/lib","customer":null,"installs":6,"downloads":2,"customers":2,"versions":[
				  {"version":"2.0.0","version_normalized":"2.0.0.0","installs":2,"downloads":1},
				  {"version":"1.1.0","version_normalized":"1.1.0.0","installs":2,"downloads":1},
				  {"version":"1.0.0","version_normalized":"1.0.0.0","installs":2,"downloads":0}]}`,
			},
			{
				name:  "package of one customer",
				rest:  "/api/v1/stats/packages/acme/lib?customer=" + e.alice,
				query: `query($p: String!, $c: ID) { packageDownloadStats(package: $p, customer: $c) { package customer installs downloads customers versions { version versionNormalized installs downloads } } }`,
				vars:  map[string]any{"p": "acme/lib", "c": e.alice},
				want: `{"package":"acme/lib","customer":"` + e.alice + `","installs":4,"downloads":1,"customers":1,"versions":[
				  {"version":"1.1.0","version_normalized":"1.1.0.0","installs":2,"downloads":1},
				  {"version":"1.0.0","version_normalized":"1.0.0.0","installs":2,"downloads":0}]}`,
			},
			{
				name:  "version as shown, default range",
				rest:  "/api/v1/stats/packages/acme/lib/versions/1.1.0",
				query: `query($p: String!, $v: String!) { versionDownloadStats(package: $p, version: $v) { package version versionNormalized customer installs downloads customers from to days { date installs downloads } } }`,
				vars:  map[string]any{"p": "acme/lib", "v": "1.1.0"},
				want: `{"package":"acme/lib","version":"1.1.0","version_normalized":"1.1.0.0","customer":null,"installs":2,"downloads":1,"customers":1,
				  "from":"` + monthAgo + `","to":"` + today + `","days":` + zeroDays(monthAgo, today, map[string][2]int{today: {2, 1}}) + `}`,
			},
			{
				name:  "version normalized, a range around an earlier day",
				rest:  "/api/v1/stats/packages/acme/lib/versions/1.0.0.0?from=2025-02-28&to=2025-03-02",
				query: `query($p: String!, $v: String!, $from: String, $to: String) { versionDownloadStats(package: $p, version: $v, from: $from, to: $to) { package version versionNormalized customer installs downloads customers from to days { date installs downloads } } }`,
				vars:  map[string]any{"p": "acme/lib", "v": "1.0.0.0", "from": "2025-02-28", "to": "2025-03-02"},
				want: `{"package":"acme/lib","version":"1.0.0","version_normalized":"1.0.0.0","customer":null,"installs":2,"downloads":0,"customers":1,
				  "from":"2025-02-28","to":"2025-03-02","days":[{"date":"2025-02-28","installs":0,"downloads":0},
				  {"date":"2025-03-01","installs":1,"downloads":0},{"date":"2025-03-02","installs":0,"downloads":0}]}`,
			},
			{
				name:  "version of a customer without activity",
				rest:  "/api/v1/stats/packages/acme/lib/versions/2.0.0?customer=" + e.alice + "&from=" + today + "&to=" + today,
				query: `query($p: String!, $v: String!, $c: ID, $from: String, $to: String) { versionDownloadStats(package: $p, version: $v, customer: $c, from: $from, to: $to) { package version versionNormalized customer installs downloads customers from to days { date installs downloads } } }`,
				vars:  map[string]any{"p": "acme/lib", "v": "2.0.0", "c": e.alice, "from": today, "to": today},
				want: `{"package":"acme/lib","version":"2.0.0","version_normalized":"2.0.0.0","customer":"` + e.alice + `","installs":0,"downloads":0,"customers":0,
				  "from":"` + today + `","to":"` + today + `","days":[{"date":"` + today + `","installs":0,"downloads":0}]}`,
			},
			{
				name:  "daily, default range",
				rest:  "/api/v1/stats/daily",
				query: `query { dailyDownloadStats { from to package customer installs downloads days { date installs downloads } } }`,
				want: `{"from":"` + monthAgo + `","to":"` + today + `","package":null,"customer":null,"installs":6,"downloads":2,
				  "days":` + zeroDays(monthAgo, today, map[string][2]int{today: {6, 2}}) + `}`,
			},
			{
				name:  "daily over an earlier range, zero days included",
				rest:  "/api/v1/stats/daily?from=2025-02-27&to=2025-03-03",
				query: `query($from: String, $to: String) { dailyDownloadStats(from: $from, to: $to) { from to package customer installs downloads days { date installs downloads } } }`,
				vars:  map[string]any{"from": "2025-02-27", "to": "2025-03-03"},
				want: `{"from":"2025-02-27","to":"2025-03-03","package":null,"customer":null,"installs":1,"downloads":0,
				  "days":` + zeroDays("2025-02-27", "2025-03-03", map[string][2]int{"2025-03-01": {1, 0}}) + `}`,
			},
			{
				name:  "daily of one package and customer, into the future",
				rest:  "/api/v1/stats/daily?from=" + today + "&to=" + tomorrow + "&package=acme/other&customer=" + e.bob,
				query: `query($from: String, $to: String, $p: String, $c: ID) { dailyDownloadStats(from: $from, to: $to, package: $p, customer: $c) { from to package customer installs downloads days { date installs downloads } } }`,
				vars:  map[string]any{"from": today, "to": tomorrow, "p": "acme/other", "c": e.bob},
				want: `{"from":"` + today + `","to":"` + tomorrow + `","package":"acme/other","customer":"` + e.bob + `","installs":1,"downloads":0,
				  "days":` + zeroDays(today, tomorrow, map[string][2]int{today: {1, 0}}) + `}`,
			},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := e.s.Do(t, http.MethodGet, c.rest, e.viewer, nil)
				mustStatus(t, r, http.StatusOK, c.rest)
				if got, want := decode(t, r.Body), decode(t, []byte(c.want)); !reflect.DeepEqual(got, want) {
					t.Errorf("REST %s\n got %s\nwant %s", c.rest, r.Body, c.want)
				}
				res := e.s.GraphQL(t, e.viewer, c.query, c.vars)
				if len(res.Errors) > 0 {
					t.Fatalf("GraphQL: %+v", res.Errors)
				}
				var data map[string]any
				if err := json.Unmarshal(res.Data, &data); err != nil {
					t.Fatal(err)
				}
				for _, v := range data { // the single root field
					if got := snake(v); !reflect.DeepEqual(got, decode(t, r.Body)) {
						t.Errorf("GraphQL differs from REST:\n got %v\nwant %s", got, r.Body)
					}
				}
			})
		}

		// A version whose row is gone (cleanup deletes versions removed
		// upstream long ago) is still found by its counters.
		ctx := tenancy.WithSystem(context.Background())
		n, err := e.s.DB.Client.PackageVersion.Delete().
			Where(packageversion.PackageID(packageID(t, e, "acme/lib")), packageversion.Version("2.0.0")).
			Exec(ctx)
		if err != nil || n != 1 {
			t.Fatalf("delete version: %d %v", n, err)
		}
		for _, v := range []string{"2.0.0", "2.0.0.0"} {
			r := e.s.Do(t, http.MethodGet, "/api/v1/stats/packages/acme/lib/versions/"+v+"?from="+today+"&to="+today, e.viewer, nil)
			want := `{"package":"acme/lib","version":"2.0.0","version_normalized":"2.0.0.0","customer":null,"installs":2,"downloads":1,"customers":1,
			  "from":"` + today + `","to":"` + today + `","days":[{"date":"` + today + `","installs":2,"downloads":1}]}`
			if r.Status != http.StatusOK || !reflect.DeepEqual(decode(t, r.Body), decode(t, []byte(want))) {
				t.Errorf("deleted version %s: %d %s", v, r.Status, r.Body)
			}
		}
	})
}

func packageID(t *testing.T, e *apiEnv, name string) string {
	t.Helper()
	var out struct{ Package struct{ ID string } }
	e.s.MustGraphQL(t, root, `query($n: String!) { package(name: $n) { id } }`, map[string]any{"n": name}, &out)
	return out.Package.ID
}

// TestStatisticsAPIErrors checks arguments the API refuses, in REST and
// GraphQL.
func TestStatisticsAPIErrors(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		e := setupAPI(t, b)
		daily := `query($from: String, $to: String, $p: String, $c: ID) { dailyDownloadStats(from: $from, to: $to, package: $p, customer: $c) { installs } }`
		cases := []struct {
			name   string
			rest   string
			query  string
			vars   map[string]any
			token  string
			status int
			code   string
			field  string
		}{
			{name: "malformed from", rest: "/api/v1/stats/daily?from=2025-3-1", query: daily, vars: map[string]any{"from": "2025-3-1"},
				status: 400, code: "VALIDATION_ERROR", field: "from"},
			{name: "impossible date", rest: "/api/v1/stats/daily?to=2025-02-30", query: daily, vars: map[string]any{"to": "2025-02-30"},
				status: 400, code: "VALIDATION_ERROR", field: "to"},
			{name: "to before from", rest: "/api/v1/stats/daily?from=2025-03-02&to=2025-03-01", query: daily, vars: map[string]any{"from": "2025-03-02", "to": "2025-03-01"},
				status: 400, code: "VALIDATION_ERROR", field: "to"},
			{name: "range over 366 days", rest: "/api/v1/stats/daily?from=2024-01-01&to=2025-01-01", query: daily, vars: map[string]any{"from": "2024-01-01", "to": "2025-01-01"},
				status: 400, code: "VALIDATION_ERROR", field: "from"},
			{name: "only from, long ago", rest: "/api/v1/stats/daily?from=2000-01-01", query: daily, vars: map[string]any{"from": "2000-01-01"},
				status: 400, code: "VALIDATION_ERROR", field: "from"},
			{name: "bad range on the version route", rest: "/api/v1/stats/packages/acme/lib/versions/1.0.0?from=yesterday",
				query:  `query { versionDownloadStats(package: "acme/lib", version: "1.0.0", from: "yesterday") { installs } }`,
				status: 400, code: "VALIDATION_ERROR", field: "from"},
			{name: "limit out of range", rest: "/api/v1/stats?limit=0", query: `query { downloadStats(limit: 0) { installs } }`,
				status: 400, code: "VALIDATION_ERROR", field: "limit"},
			{name: "unknown package", rest: "/api/v1/stats/packages/acme/nope", query: `query { packageDownloadStats(package: "acme/nope") { installs } }`,
				status: 404, code: "NOT_FOUND"},
			{name: "unknown package of the daily filter", rest: "/api/v1/stats/daily?package=acme/nope", query: daily, vars: map[string]any{"p": "acme/nope"},
				status: 404, code: "NOT_FOUND"},
			{name: "unknown version", rest: "/api/v1/stats/packages/acme/lib/versions/9.9.9",
				query:  `query { versionDownloadStats(package: "acme/lib", version: "9.9.9") { installs } }`,
				status: 404, code: "NOT_FOUND"},
			{name: "unknown customer", rest: "/api/v1/stats/packages/acme/lib?customer=cus_nope",
				query:  `query { packageDownloadStats(package: "acme/lib", customer: "cus_nope") { installs } }`,
				status: 404, code: "NOT_FOUND"},
			{name: "no token", rest: "/api/v1/stats", query: `query { downloadStats { installs } }`, token: "-",
				status: 401, code: "UNAUTHORIZED"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				token := e.viewer
				if c.token == "-" {
					token = ""
				}
				r := e.s.Do(t, http.MethodGet, c.rest, token, nil)
				var body struct {
					Error struct{ Code, Field string }
				}
				r.JSON(t, &body)
				if r.Status != c.status || body.Error.Code != c.code || body.Error.Field != c.field {
					t.Errorf("REST %s: %d %s, want %d %s field %q", c.rest, r.Status, r.Body, c.status, c.code, c.field)
				}
				res := e.s.GraphQL(t, token, c.query, c.vars)
				if res.Code() != c.code {
					t.Errorf("GraphQL: %+v, want %s", res.Errors, c.code)
				}
				if c.field != "" {
					if f, _ := res.Errors[0].Extensions["field"].(string); f != c.field {
						t.Errorf("GraphQL field %q, want %q", f, c.field)
					}
				}
			})
		}
		// A version may also be named by its tag form.
		r := e.s.Do(t, http.MethodGet, "/api/v1/stats/packages/acme/lib/versions/"+url.PathEscape("v1.0.0"), e.viewer, nil)
		mustStatus(t, r, http.StatusOK, "version by tag-like form")
	})
}
