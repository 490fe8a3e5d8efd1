// Package web serves Cargoman's browser pages: for now the GraphiQL
// playground. Every script and stylesheet it needs is embedded in the binary
// (see static/graphiql/VERSIONS.txt for where they came from), so the page
// works on a server with no internet access.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/httperr"
)

//go:embed static
var staticFS embed.FS

// Cache-Control values. Files under a "name@version" directory never change
// under their URL, nor does a file asked for with ?v= set to its content hash
// (which is how the GraphiQL page links the files it owns); anything else
// must be revalidated, which the ETag makes cheap.
const (
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
)

// asset is one embedded file, ready to serve.
type asset struct {
	body        []byte
	gz          []byte // gzip of body; nil when compressing does not pay
	contentType string
	hash        string // hex prefix of the SHA-256 of body
	immutable   bool   // under a "name@version" directory
}

// assets indexes the embedded files by their path under static/, hashing
// and gzipping them once, on first use.
var assets = sync.OnceValue(func() map[string]*asset {
	m := make(map[string]*asset)
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(body)
		a := &asset{
			body:        body,
			contentType: contentType(name),
			hash:        hex.EncodeToString(sum[:8]),
			immutable:   versioned(name),
		}
		if compressible(a.contentType) {
			a.gz = gzipped(body)
		}
		m[name] = a
		return nil
	})
	if err != nil {
		// The files are compiled in: a failure here is a build defect.
		panic("web: indexing embedded assets: " + err.Error())
	}
	return m
})

// Assets returns a handler serving the embedded static files: the path of
// the request URL, with whatever prefix it is mounted under stripped (see
// http.StripPrefix), names a file under static/, e.g.
// "/graphiql/react@18.3.1/react.production.min.js". Responses carry the
// right Content-Type, a strong ETag (If-None-Match gets 304), a Cache-Control
// that is long-lived and immutable for versioned files, and a precompressed
// gzip body when the client accepts one. Directories and unknown paths get
// 404; methods other than GET and HEAD get 405.
func Assets() http.Handler {
	return http.HandlerFunc(serveAsset)
}

func serveAsset(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		httperr.REST(w, apperr.New(apperr.MethodNotAllowed, "method %s is not allowed; use GET or HEAD", r.Method))
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	a, ok := assets()[name]
	if !ok {
		http.NotFound(w, r)
		return
	}

	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	if a.immutable || r.URL.Query().Get("v") == a.hash {
		h.Set("Cache-Control", cacheImmutable)
	} else {
		h.Set("Cache-Control", cacheRevalidate)
	}
	body, etag := a.body, `"`+a.hash+`"`
	if a.gz != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Values("Accept-Encoding")) {
			// A different representation needs a different ETag.
			body, etag = a.gz, `"`+a.hash+`-gz"`
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", etag)
	// ServeContent answers If-None-Match, Range and HEAD.
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
}

// versioned reports whether name lies under a "package@version" directory,
// whose contents are fixed by the version in the URL.
func versioned(name string) bool {
	dirs := strings.Split(path.Dir(name), "/")
	for _, d := range dirs {
		if i := strings.LastIndexByte(d, '@'); i > 0 && i < len(d)-1 {
			return true
		}
	}
	return false
}

// contentTypes maps the extensions we ship. It is spelled out rather than
// taken from package mime, whose answers depend on the host's mime tables.
var contentTypes = map[string]string{
	".css":   "text/css; charset=utf-8",
	".html":  "text/html; charset=utf-8",
	".ico":   "image/x-icon",
	".js":    "text/javascript; charset=utf-8",
	".json":  "application/json",
	".map":   "application/json",
	".png":   "image/png",
	".svg":   "image/svg+xml",
	".txt":   "text/plain; charset=utf-8",
	".woff2": "font/woff2",
}

func contentType(name string) string {
	base := path.Base(name)
	if ct, ok := contentTypes[path.Ext(base)]; ok {
		return ct
	}
	if !strings.Contains(base, ".") { // LICENSE, README, ...
		return "text/plain; charset=utf-8"
	}
	return "application/octet-stream"
}

func compressible(ct string) bool {
	return strings.HasPrefix(ct, "text/") ||
		strings.HasPrefix(ct, "application/json") ||
		strings.HasPrefix(ct, "image/svg+xml")
}

// gzipped returns body gzipped, or nil if that saves less than a tenth.
func gzipped(body []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // the level is valid
	if _, err := zw.Write(body); err != nil {
		return nil
	}
	if err := zw.Close(); err != nil {
		return nil
	}
	if buf.Len() > len(body)*9/10 {
		return nil
	}
	return buf.Bytes()
}

// acceptsGzip reports whether the Accept-Encoding header values allow gzip:
// gzip (or x-gzip), or failing those "*", listed with a non-zero q-value.
func acceptsGzip(values []string) bool {
	star := false
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			ok := qNonZero(params)
			switch coding {
			case "gzip", "x-gzip":
				return ok
			case "*":
				star = ok
			}
		}
	}
	return star
}

// qNonZero reports whether the parameters of an Accept-Encoding entry leave
// it acceptable, i.e. have no q or a q above zero.
func qNonZero(params string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(p, "=")
		if strings.ToLower(strings.TrimSpace(k)) != "q" {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return err == nil && q > 0
	}
	return true
}
