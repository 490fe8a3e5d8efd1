package composerrepo_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cargoman/cargoman/internal/bodylimit"
	"github.com/cargoman/cargoman/internal/testenv"
)

// Every refusal of a Composer endpoint is answered the one way Composer
// shows its reason: Content-Type exactly application/json and a "warning"
// key (HttpDownloader::outputWarnings) saying what went wrong and what to
// do; the REST error object stays next to it.
func TestComposerErrorsCarryWarning(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		f := setup(t, b)
		lib := map[string]string{"acme/lib": "^1.0"}
		suspended := newCustomer(t, f.s, lib)
		suspendedToken := suspended.plainToken(t, nil)
		do(t, f.s, http.MethodPost, "/api/v1/customers/"+suspended.id+"/suspend", map[string]any{"reason": "unpaid invoice"}, http.StatusOK)
		expiresAt := time.Now().Add(time.Second)
		expired := newCustomer(t, f.s, lib).plainToken(t, map[string]any{"expires_at": expiresAt.UTC().Format(time.RFC3339Nano)})
		time.Sleep(time.Until(expiresAt))

		dist := "/dists/acme/lib/1.0.0.0/" + f.refs["1.0.0"] + ".zip"
		notify := `{"downloads":[{"name":"acme/lib","version":"1.0.0.0"}]}`
		endpoints := []struct{ name, method, path, body string }{
			{"packages.json", http.MethodGet, "/packages.json", ""},
			{"p2", http.MethodGet, "/p2/acme/lib.json", ""},
			{"dist", http.MethodGet, dist, ""},
			{"notify-batch", http.MethodPost, "/downloads/", notify},
		}
		type refusal struct {
			name, method, path, token, body string
			status                          int
			code, warning                   string
		}
		var cases []refusal
		for _, e := range endpoints {
			cases = append(cases,
				refusal{e.name + ": no credential", e.method, e.path, "", e.body, http.StatusUnauthorized, "UNAUTHORIZED", `authentication required: HTTP Basic with user "token" and a customer token as password, or a bearer token; check the token in auth.json`},
				refusal{e.name + ": wrong token", e.method, e.path, "cgm_tok_thisisnotatokenofthisserver", e.body, http.StatusUnauthorized, "UNAUTHORIZED", "the token is not valid; check the token in auth.json"},
				refusal{e.name + ": expired token", e.method, e.path, expired, e.body, http.StatusUnauthorized, "UNAUTHORIZED", "the token expired at "},
				refusal{e.name + ": suspended customer", e.method, e.path, suspendedToken, e.body, http.StatusForbidden, "FORBIDDEN", "access is suspended: unpaid invoice; contact the vendor"},
				refusal{e.name + ": webhook-scoped token", e.method, e.path, f.webhook, e.body, http.StatusForbidden, "FORBIDDEN", `a webhook-scoped customer token cannot download packages; that needs scope download, developer or admin; contact the vendor`},
			)
		}
		notFound := "; check the package name and version, or ask the vendor for access to it"
		cases = append(cases,
			refusal{"p2: no grant", http.MethodGet, "/p2/acme/other.json", f.download, "", http.StatusNotFound, "NOT_FOUND", `package "acme/other" not found` + notFound},
			refusal{"p2: unknown package", http.MethodGet, "/p2/acme/nope.json", f.download, "", http.StatusNotFound, "NOT_FOUND", `package "acme/nope" not found` + notFound},
			refusal{"dist: unknown package", http.MethodGet, "/dists/acme/nope/1.0.0.0/" + f.refs["1.0.0"] + ".zip", f.download, "", http.StatusNotFound, "NOT_FOUND", `package "acme/nope" not found` + notFound},
			refusal{"dist: version outside the grant", http.MethodGet, "/dists/acme/lib/2.0.0.0/" + f.refs["2.0.0"] + ".zip", f.download, "", http.StatusNotFound, "NOT_FOUND", "package acme/lib has no archive 2.0.0.0/" + f.refs["2.0.0"] + notFound},
			refusal{"notify-batch: malformed", http.MethodPost, "/downloads/", f.download, `{"downloads":`, http.StatusBadRequest, "VALIDATION_ERROR", "; this Composer request is not understood"},
			refusal{"notify-batch: too large", http.MethodPost, "/downloads/", f.download, `{"downloads":[` + strings.Repeat(" ", bodylimit.Notify) + `]}`, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE", "; send a smaller request"},
		)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var body *strings.Reader
				header := map[string]string{}
				if c.body != "" {
					body = strings.NewReader(c.body)
					header["Content-Type"] = "application/json"
				} else {
					body = strings.NewReader("")
				}
				res := f.s.Raw(t, c.method, c.path, c.token, body, header)
				if res.Status != c.status {
					t.Fatalf("status %d, want %d: %s", res.Status, c.status, res.Body)
				}
				if ct := res.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type %q: Composer reads the body only with exactly application/json", ct)
				}
				var out struct {
					Warning string
					Error   struct{ Code, Message string }
				}
				res.JSON(t, &out)
				if !strings.Contains(out.Warning, c.warning) {
					t.Errorf("warning %q, want it to hold %q", out.Warning, c.warning)
				}
				if out.Error.Code != c.code || out.Error.Message == "" || !strings.HasPrefix(out.Warning, out.Error.Message+"; ") {
					t.Errorf("error %+v beside warning %q, want code %s and the warning's message", out.Error, out.Warning, c.code)
				}
			})
		}
	})
}
