// Package readme turns a package's README into HTML that is safe to embed in
// the dashboard. README content comes from package authors and is untrusted,
// so rendering always ends with an allowlist sanitizer.
//
// Markdown is rendered with goldmark plus the GitHub-flavoured extensions
// READMEs rely on (tables, strikethrough, autolinks, task lists). Raw HTML in
// the markdown is passed through to the sanitizer rather than dropped, as
// GitHub and Packagist do, because many READMEs use it for centred logos and
// badges. The sanitizer is bluemonday's UGC policy, which removes scripts,
// styles, event handlers, forms, iframes, and every URL that is not http,
// https, mailto or relative (so javascript: and data: URLs, data: images
// included, are dropped). On top of it:
//
//   - links get rel="nofollow"; absolute links also get target="_blank" and
//     rel="noreferrer noopener", so they neither control the dashboard tab
//     nor leak its (private) URLs through Referer;
//   - disabled task-list checkboxes and language-* classes on code (for
//     client-side highlighting) are kept.
//
// Relative links and images are left relative; they resolve against the
// dashboard page, not the repository. Heading anchors are not generated.
//
// Cost is bounded: input is truncated at MaxSize, and markdown on which
// goldmark would take superlinear time or expand enormously is shown as
// escaped plain text instead (see guard.go). Render is still too slow to
// call per request (milliseconds for a typical README, up to about a
// second at the limits): render when a package is updated and store the
// HTML.
package readme

import (
	"bytes"
	"fmt"
	"html"
	"path"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	gmhtml "github.com/yuin/goldmark/renderer/html"
)

// MaxSize is the largest README rendered in full, 512 KiB. Longer input is
// truncated at the last line break before the limit and rendered with a
// note saying so, rather than rejected: a dashboard showing the start of a
// huge README is more useful than one showing nothing.
const MaxSize = 512 << 10

// truncatedNote is appended (after sanitizing; it is trusted) when the
// input was cut at MaxSize.
const truncatedNote = `<p class="readme-truncated"><em>This README is longer than 512 KiB; only the beginning is shown.</em></p>` + "\n"

// complexNote is appended (trusted) when the markdown exceeded a complexity
// limit and is shown as plain text instead.
const complexNote = `<p class="readme-plain"><em>This README is too complex to render as Markdown; it is shown as plain text.</em></p>` + "\n"

// renderer holds the configured converters and policy. All are safe for
// concurrent use once built and never change; they are built on first use.
type renderer struct {
	md     goldmark.Markdown
	blocks parser.Parser // block structure only, for tooComplex
	policy *bluemonday.Policy
}

var defaultRenderer = sync.OnceValue(newRenderer)

func newRenderer() *renderer {
	md := goldmark.New(
		goldmark.WithExtensions(
			// Alignment as an align attribute: the policy drops style.
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
			extension.Strikethrough,
			extension.Linkify,
			extension.TaskList,
		),
		// Raw HTML and every URL go through; bluemonday decides.
		goldmark.WithRendererOptions(gmhtml.WithUnsafe()),
	)

	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true) // also adds rel="noopener"
	p.RequireNoReferrerOnFullyQualifiedLinks(true)
	// GFM task lists: <input checked="" disabled="" type="checkbox">.
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").Matching(regexp.MustCompile(`^(|checked|disabled)$`)).OnElements("input")
	// Fenced code language, for client-side syntax highlighting.
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[A-Za-z0-9_+#.-]{1,40}$`)).OnElements("code")

	return &renderer{md: md, blocks: newBlockParser(), policy: p}
}

// Render converts README markdown to sanitized HTML. Input longer than
// MaxSize is truncated (see MaxSize). Input that exceeds the complexity
// limits (extreme nesting, a single paragraph or table cell over 16 KiB, more
// than 100,000 table cells, or more than 2 MiB of HTML; see guard.go) is
// shown as escaped plain text with a note instead, which bounds the time
// and memory one README can cost. Invalid UTF-8 is tolerated. Render is
// safe for concurrent use.
func Render(markdown []byte) (string, error) {
	src, truncated := truncate(markdown)
	r := defaultRenderer()
	if tooComplex(src, r.blocks) {
		return plain(src, truncated, true), nil
	}
	var buf bytes.Buffer
	buf.Grow(len(src) + len(src)/2)
	if err := r.md.Convert(src, &buf); err != nil {
		return "", fmt.Errorf("readme: render markdown: %w", err)
	}
	if buf.Len() > 2*maxOutput {
		return plain(src, truncated, true), nil // sanitizing only shrinks
	}
	out := r.policy.SanitizeReader(&buf).String()
	if len(out) > maxOutput {
		return plain(src, truncated, true), nil
	}
	if truncated {
		out += truncatedNote
	}
	return out, nil
}

// RenderFile renders a README file by its name, the way Packagist does:
// markdown files (see IsMarkdown) with Render, anything else (README,
// README.txt, ...) as escaped preformatted text. Both are limited to
// MaxSize.
func RenderFile(name string, content []byte) (string, error) {
	if IsMarkdown(name) {
		return Render(content)
	}
	src, truncated := truncate(content)
	return plain(src, truncated, false), nil
}

// plain shows text as escaped preformatted text, with notes on why.
func plain(src []byte, truncated, tooComplex bool) string {
	var b strings.Builder
	b.WriteString("<pre>")
	b.WriteString(html.EscapeString(strings.ToValidUTF8(string(src), "\uFFFD")))
	b.WriteString("</pre>\n")
	if tooComplex {
		b.WriteString(complexNote)
	}
	if truncated {
		b.WriteString(truncatedNote)
	}
	return b.String()
}

// truncate cuts b to at most MaxSize bytes, at the last line break if there
// is one in the second half of the window, and never inside a UTF-8
// sequence.
func truncate(b []byte) ([]byte, bool) {
	if len(b) <= MaxSize {
		return b, false
	}
	b = b[:MaxSize]
	if i := bytes.LastIndexByte(b, '\n'); i >= MaxSize/2 {
		return b[:i+1], true
	}
	// No usable line break: back off to a rune boundary.
	for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
		if r, size := utf8.DecodeLastRune(b); r != utf8.RuneError || size != 1 {
			break
		}
		b = b[:len(b)-1]
	}
	return b, true
}

// extRank ranks a lowercase README extension, best first; ranks below
// plainRank are markdown. It returns -1 for anything else. A switch rather
// than a table keeps the list immutable.
func extRank(ext string) int {
	switch ext {
	case ".md":
		return 0
	case ".markdown":
		return 1
	case ".mdown":
		return 2
	case ".mkdn":
		return 3
	case ".mkd":
		return 4
	case ".mdwn":
		return 5
	case "": // a bare README
		return plainRank
	case ".txt":
		return plainRank + 1
	case ".rst":
		return plainRank + 2
	}
	return -1
}

const plainRank = 6

// IsMarkdown reports whether a file name has a markdown extension
// (case-insensitive): .md, .markdown, .mdown, .mkdn, .mkd, .mdwn.
func IsMarkdown(name string) bool {
	ext := path.Ext(name)
	if ext == "" {
		return false
	}
	r := extRank(strings.ToLower(ext))
	return r >= 0 && r < plainRank
}

// Find picks the README among the file names at a repository's root,
// comparing names case-insensitively and preferring markdown:
//
//	README.md, README.markdown, README.mdown, README.mkdn, README.mkd,
//	README.mdwn, README, README.txt, README.rst
//
// When several spellings of one name exist (README.md and readme.md in a
// case-sensitive repository), the canonical "README.ext" wins, then the
// lexically smallest. Other names (docs/README.md, README.de.md) are
// ignored. Packagist itself reads the file named by composer.json's
// "readme" field and falls back to README.md; callers should honour that
// field first and use Find as the fallback.
func Find(files []string) (string, bool) {
	var (
		best     string
		bestRank = -1
	)
	for _, name := range files {
		rank := readmeRank(name)
		if rank < 0 {
			continue
		}
		if bestRank < 0 || rank < bestRank || rank == bestRank && preferSpelling(name, best) {
			best, bestRank = name, rank
		}
	}
	return best, bestRank >= 0
}

// readmeRank is the preference of a README file name (lower is better), or
// -1 if name is not a README.
func readmeRank(name string) int {
	lower := strings.ToLower(name)
	ext, ok := strings.CutPrefix(lower, "readme")
	if !ok {
		return -1
	}
	return extRank(ext)
}

// preferSpelling orders two names of equal rank: "README" + lowercase
// extension first, then byte order.
func preferSpelling(a, b string) bool {
	ca, cb := isCanonical(a), isCanonical(b)
	if ca != cb {
		return ca
	}
	return a < b
}

func isCanonical(name string) bool {
	ext, ok := strings.CutPrefix(name, "README")
	return ok && ext == strings.ToLower(ext)
}
