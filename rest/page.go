package rest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cargoman/cargoman/internal/apperr"
)

// Page sizes of list routes (design.md, after Cloudsmith's API).
const (
	DefaultPageSize = 30
	MaxPageSize     = 500
)

// page is the requested page of a list route.
type page struct{ number, size int }

// readPage reads page and per_page (alias page_size); nil for non-lists.
func readPage(r *http.Request, list bool) (*page, error) {
	if !list {
		return nil, nil
	}
	q := r.URL.Query()
	p := &page{number: 1, size: DefaultPageSize}
	if raw := q.Get("page"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			return nil, apperr.Invalid("page", "page must be a whole number of at least 1 (got %q)", raw)
		}
		p.number = n
	}
	for _, name := range []string{"per_page", "page_size"} {
		raw := q.Get(name)
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > MaxPageSize {
			return nil, apperr.Invalid(name, "%s must be a whole number from 1 to %d (got %q)", name, MaxPageSize, raw)
		}
		p.size = n
	}
	return p, nil
}

// writeHeaders sets the X-Pagination-* headers and the Link header
// (first, prev, next, last) for a list of total items.
func (p *page) writeHeaders(w http.ResponseWriter, r *http.Request, base string, total int) {
	pages := (total + p.size - 1) / p.size
	h := w.Header()
	// Set directly to keep the spelling of the spec (PageTotal, PageSize),
	// which Header.Set would canonicalise to Pagetotal and Pagesize.
	h["X-Pagination-Count"] = []string{strconv.Itoa(total)}
	h["X-Pagination-Page"] = []string{strconv.Itoa(p.number)}
	h["X-Pagination-PageTotal"] = []string{strconv.Itoa(pages)}
	h["X-Pagination-PageSize"] = []string{strconv.Itoa(p.size)}
	var links []string
	link := func(n int, rel string) {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(n))
		u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
		links = append(links, fmt.Sprintf("<%s%s>; rel=%q", base, u.String(), rel))
	}
	if pages > 1 {
		link(1, "first")
	}
	if p.number > 1 {
		link(min(p.number-1, max(pages, 1)), "prev")
	}
	if p.number < pages {
		link(p.number+1, "next")
	}
	if pages > 1 {
		link(pages, "last")
	}
	if len(links) > 0 {
		h.Set("Link", strings.Join(links, ", "))
	}
}
