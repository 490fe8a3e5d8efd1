package web

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/httperr"
)

//go:embed templates/graphiql.html
var graphiqlHTML string

// graphiqlPage is parsed once; its "asset" function is bound per handler.
var graphiqlPage = template.Must(template.New("graphiql").
	Funcs(template.FuncMap{"asset": func(string) string { return "" }}).
	Parse(graphiqlHTML))

// GraphiQL returns a handler serving the GraphiQL playground page for the
// GraphQL API at endpoint, which the page POSTs JSON to. assetsPrefix is the
// URL path that Assets is mounted under, e.g. "/static" for
// mux.Handle("/static/", http.StripPrefix("/static", web.Assets())); the page
// links its scripts and styles below it, so it loads nothing from outside.
// endpoint and assetsPrefix may be absolute paths or relative to the page's
// URL.
//
// The headers editor is enabled and prefilled with an "Authorization:
// Bearer " line; the header is not sent until a token is filled in, and
// never persisted (a pasted root token must not stay in the browser's local
// storage). The editor opens on WelcomeQuery. The page is rendered once, here; the handler
// answers GET and HEAD.
func GraphiQL(endpoint, assetsPrefix string) http.Handler {
	prefix := strings.TrimRight(assetsPrefix, "/")
	index := assets()
	t := template.Must(graphiqlPage.Clone()).Funcs(template.FuncMap{
		"asset": func(name string) string {
			a, ok := index[name]
			if !ok {
				panic("web: the GraphiQL page links " + name + ", which is not embedded")
			}
			u := prefix + "/" + name
			if !a.immutable {
				u += "?v=" + a.hash // lets Assets mark it immutable
			}
			return u
		},
	})
	var buf bytes.Buffer
	if err := t.Execute(&buf, struct{ Endpoint, DefaultQuery string }{endpoint, WelcomeQuery}); err != nil {
		panic("web: rendering the GraphiQL page: " + err.Error())
	}
	sum := sha256.Sum256(buf.Bytes())
	return &pageHandler{
		body: buf.Bytes(),
		etag: `"` + hex.EncodeToString(sum[:8]) + `"`,
		csp:  graphiqlCSP(endpoint, assetsPrefix),
	}
}

type pageHandler struct {
	body []byte
	etag string
	csp  string
}

func (p *pageHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		httperr.REST(w, apperr.New(apperr.MethodNotAllowed, "method %s is not allowed; use GET or HEAD", r.Method))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", cacheRevalidate)
	h.Set("ETag", p.etag)
	h.Set("Content-Security-Policy", p.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(p.body))
}

// graphiqlCSP allows the page scripts, styles and API calls from its own
// origin, plus the origins of endpoint and assetsPrefix if they name one.
// Inline styles stay allowed: GraphiQL's components inject <style> elements.
func graphiqlCSP(endpoint, assetsPrefix string) string {
	connect := "'self'" + originOf(endpoint)
	static := "'self'" + originOf(assetsPrefix)
	return strings.Join([]string{
		"default-src 'none'",
		"script-src " + static,
		"style-src " + static + " 'unsafe-inline'",
		"img-src " + static + " data:",
		"font-src " + static + " data:",
		"connect-src " + connect,
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; ")
}

// originOf returns " scheme://host" for an absolute URL (" host" for a
// scheme-relative one), and "" for a path.
func originOf(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || strings.ContainsAny(u.Host, " ;,'\"") {
		return ""
	}
	if u.Scheme == "" {
		return " " + u.Host
	}
	return " " + u.Scheme + "://" + u.Host
}
