package readme

import (
	"bytes"
	"fmt"
	"html"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

func render(t testing.TB, md string) string {
	t.Helper()
	out, err := Render([]byte(md))
	if err != nil {
		t.Fatalf("Render(%q): %v", md, err)
	}
	return out
}

func TestRenderGFM(t *testing.T) {
	for _, tc := range []struct {
		name, md string
		want     []string
	}{
		{"heading and emphasis", "# Title\n\nSome *em* and **strong**.", []string{"<h1>Title</h1>", "<em>em</em>", "<strong>strong</strong>"}},
		{"table with alignment", "| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n", []string{
			"<table>", "<th align=\"left\">a</th>", "<th align=\"center\">b</th>", "<td align=\"right\">3</td>",
		}},
		{"strikethrough", "~~gone~~", []string{"<del>gone</del>"}},
		{"autolink url", "see https://example.com/x?y=1 now", []string{`<a href="https://example.com/x?y=1"`, ">https://example.com/x?y=1</a>"}},
		{"autolink www", "visit www.example.org", []string{`<a href="http://www.example.org"`}},
		{"autolink email", "mail foo@example.com", []string{`<a href="mailto:foo@example.com"`}},
		{"task list", "- [x] done\n- [ ] todo\n", []string{
			`<li><input checked="" disabled="" type="checkbox"> done</li>`,
			`<li><input disabled="" type="checkbox"> todo</li>`,
		}},
		{"fenced code keeps language class", "```php\n<?php echo '<b>'; ?>\n```\n", []string{
			`<pre><code class="language-php">&lt;?php echo &#39;&lt;b&gt;&#39;; ?&gt;`,
		}},
		{"inline code is escaped", "`<script>`", []string{"<code>&lt;script&gt;</code>"}},
		{"safe raw html kept", "<details><summary>More</summary>\n\nHidden *text*\n\n</details>", []string{"<details>", "<summary>More</summary>", "<em>text</em>"}},
		{"badge image", "[![CI](https://ci.example/badge.svg)](https://ci.example)", []string{`<img src="https://ci.example/badge.svg" alt="CI">`}},
		{"relative link stays relative", "[docs](docs/usage.md)", []string{`<a href="docs/usage.md" rel="nofollow">docs</a>`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := render(t, tc.md)
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			checkSafeHTML(t, out)
		})
	}
}

func TestRenderLinkAttributes(t *testing.T) {
	for _, tc := range []struct {
		name, md string
		want     string
	}{
		{"absolute", "[x](https://example.com)", `<a href="https://example.com" rel="nofollow noreferrer noopener" target="_blank">x</a>`},
		{"author rel and target replaced", `<a href="https://example.com" rel="opener" target="_self">x</a>`, `<a href="https://example.com" rel="nofollow noreferrer noopener" target="_blank">x</a>`},
		{"relative", "[x](/p/q)", `<a href="/p/q" rel="nofollow">x</a>`},
		{"fragment", "[x](#install)", `<a href="#install" rel="nofollow">x</a>`},
		{"mailto", "[x](mailto:a@example.com)", `<a href="mailto:a@example.com" rel="nofollow">x</a>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if out := render(t, tc.md); !strings.Contains(out, tc.want) {
				t.Errorf("got %s\nwant it to contain %s", out, tc.want)
			}
		})
	}
}

func TestRenderStripsXSS(t *testing.T) {
	for _, tc := range []struct {
		name, md string
		keep     string // harmless text that should survive, if any
	}{
		{"script tag", "<script>alert(1)</script>hello", "hello"},
		{"script in paragraph", "text <script>alert(1)</script> more", "more"},
		{"uppercase script", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>", ""},
		{"img onerror", `<img src=x onerror="alert(1)">`, ""},
		{"svg onload", `<svg onload=alert(1)><circle/></svg>`, ""},
		{"body onload", `<body onload=alert(1)>hi</body>`, "hi"},
		{"event handler on allowed tag", `<p onclick="alert(1)" onmouseover=alert(1)>click</p>`, "click"},
		{"markdown javascript link", "[click](javascript:alert(1))", "click"},
		{"markdown javascript link mixed case", "[click](JaVaScRiPt:alert(1))", "click"},
		{"html javascript link", `<a href="javascript:alert(1)">click</a>`, "click"},
		{"entity encoded javascript link", `<a href="&#106;avascript:alert(1)">click</a>`, "click"},
		{"hex entity javascript link", `<a href="&#x6A;avascript&#x3A;alert(1)">click</a>`, "click"},
		{"tab in scheme", "<a href=\"java\tscript:alert(1)\">click</a>", "click"},
		{"vbscript link", `<a href="vbscript:msgbox(1)">click</a>`, "click"},
		{"data link", `[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`, ""},
		{"data image markdown", "![pixel](data:image/png;base64,iVBORw0KGgo=)", ""},
		{"data image html", `<img src="data:image/svg+xml;base64,PHN2Zz4=">`, ""},
		{"iframe", `<iframe src="https://evil.example"></iframe>`, ""},
		{"iframe srcdoc", `<iframe srcdoc="<script>alert(1)</script>"></iframe>`, ""},
		{"object and embed", `<object data="x.swf"></object><embed src="x.swf">`, ""},
		{"style tag", "<style>body{display:none}</style>visible", "visible"},
		{"style attribute", `<p style="background:url(javascript:alert(1))">styled</p>`, "styled"},
		{"form and button", `<form action="https://evil.example"><button formaction="javascript:alert(1)">go</button><input type="text" name="q"></form>`, "go"},
		{"meta refresh", `<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`, ""},
		{"base href", `<base href="https://evil.example/">`, ""},
		{"link stylesheet", `<link rel="stylesheet" href="https://evil.example/x.css">`, ""},
		{"math xlink", `<math><mi xlink:href="javascript:alert(1)">m</mi></math>`, "m"},
		{"unterminated tag", `<img src=x onerror=alert(1)//`, ""},
		{"comment smuggling", `<!--><script>alert(1)</script>-->`, ""},
		{"noscript mutation", `<noscript><p title="</noscript><img src=x onerror=alert(1)>">`, ""},
		{"template", `<template><script>alert(1)</script></template>`, ""},
		{"nested quotes", `<a href="https://ok.example" title='x" onmouseover="alert(1)'>t</a>`, "t"},
		{"autolink javascript", "<javascript:alert(1)>", ""},
		{"reference link javascript", "[x][1]\n\n[1]: javascript:alert(1)", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := render(t, tc.md)
			checkSafeHTML(t, out)
			if tc.keep != "" && !strings.Contains(out, tc.keep) {
				t.Errorf("harmless text %q was lost:\n%s", tc.keep, out)
			}
		})
	}
}

var (
	tagRE  = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>`)
	attrRE = regexp.MustCompile(`\s+([^\s"'>/=]+)(?:="([^"]*)")?`)
	// Tags the sanitizer must never let through.
	forbiddenTags = map[string]bool{
		"script": true, "style": true, "iframe": true, "frame": true, "frameset": true,
		"object": true, "embed": true, "applet": true, "form": true, "button": true,
		"textarea": true, "select": true, "svg": true, "math": true, "link": true,
		"meta": true, "base": true, "template": true, "noscript": true, "body": true,
		"html": true, "head": true, "video": true, "audio": true, "source": true,
	}
	urlAttrs = map[string]bool{"href": true, "src": true, "cite": true, "action": true, "formaction": true, "background": true, "poster": true, "srcset": true}
)

// checkSafeHTML fails t if out is not safe (see unsafeHTML).
func checkSafeHTML(t testing.TB, out string) {
	t.Helper()
	if err := unsafeHTML(out); err != nil {
		t.Fatalf("%v in output:\n%s", err, out)
	}
}

// unsafeHTML is the oracle for sanitized output. Bluemonday escapes '<'
// in text and '<', '>' and '"' in attribute values, so every literal '<'
// starts a real tag that ends at the next '>' and attributes are name="value".
func unsafeHTML(out string) error {
	if strings.ContainsAny(tagRE.ReplaceAllString(out, ""), "<>") {
		return fmt.Errorf("unescaped angle bracket outside a tag")
	}
	for _, m := range tagRE.FindAllStringSubmatch(out, -1) {
		name := strings.ToLower(m[2])
		if forbiddenTags[name] {
			return fmt.Errorf("forbidden tag <%s>", name)
		}
		attrs := m[3]
		if left := strings.TrimSpace(attrRE.ReplaceAllString(attrs, "")); left != "" && left != "/" {
			return fmt.Errorf("unparseable attributes %q", attrs)
		}
		for _, a := range attrRE.FindAllStringSubmatch(attrs, -1) {
			an := strings.ToLower(a[1])
			if strings.HasPrefix(an, "on") || an == "style" || an == "srcdoc" || an == "formaction" || strings.Contains(an, ":") {
				return fmt.Errorf("forbidden attribute %s on <%s>", an, name)
			}
			if !urlAttrs[an] {
				continue
			}
			v := strings.ToLower(html.UnescapeString(a[2]))
			v = strings.Map(func(r rune) rune {
				if r <= ' ' || r == 0x7f {
					return -1
				}
				return r
			}, v)
			scheme, _, hasScheme := strings.Cut(v, ":")
			if hasScheme && !strings.ContainsAny(scheme, "/?#") && scheme != "http" && scheme != "https" && scheme != "mailto" {
				return fmt.Errorf("dangerous URL %s=%q on <%s>", an, a[2], name)
			}
		}
	}
	return nil
}

// TestOracleCatchesUnsafeHTML makes sure the checks above can fail.
func TestOracleCatchesUnsafeHTML(t *testing.T) {
	for _, bad := range []string{
		`<script>alert(1)</script>`,
		`<SCRIPT>`,
		`<p onclick="x">a</p>`,
		`<img src="x" ONERROR="y">`,
		`<a href="javascript:alert(1)">x</a>`,
		`<a href="&#106;avascript:alert(1)">x</a>`,
		`<a href="java&#9;script:x">x</a>`,
		`<img src="data:image/png;base64,AA==">`,
		`<p style="color:red">x</p>`,
		`<iframe src="https://e.com"></iframe>`,
		`<a href='javascript:x'>x</a>`,
		`text > more`,
	} {
		if unsafeHTML(bad) == nil {
			t.Errorf("oracle accepted %s", bad)
		}
	}
	for _, good := range []string{
		`<p>a &lt;script&gt; b</p>`,
		`<a href="https://e.com/a:b" rel="nofollow">x</a>`,
		`<a href="docs/x.md">x</a><a href="#top">t</a><a href="mailto:a@b.c">m</a>`,
		`<input checked="" disabled="" type="checkbox">`,
		`<br/>`,
	} {
		if err := unsafeHTML(good); err != nil {
			t.Errorf("oracle rejected %s: %v", good, err)
		}
	}
}

func TestRenderSizeLimit(t *testing.T) {
	para := strings.Repeat("word ", 19) + "word\n\n"
	full := strings.Repeat(para, (MaxSize-1000)/len(para))
	pad := func(extra string) string {
		return full + strings.Repeat("y", MaxSize-len(full)-len("TAILMARK")) + "TAILMARK" + extra
	}
	for _, tc := range []struct {
		name          string
		md            string
		wantTruncated bool
		wantMarker    bool // whether the "TAILMARK" at the end survives
		wantPlain     bool // shown as plain text (here: one line over maxRun)
	}{
		{"small", "hello TAILMARK", false, true, false},
		{"exactly the limit", pad(""), false, true, false},
		{"one byte over", pad("!"), true, false, false},
		{"far over", strings.Repeat(para, 3*MaxSize/len(para)) + "TAILMARK", true, false, false},
		{"one huge line of multibyte runes", strings.Repeat("é", MaxSize) + "TAILMARK", true, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := render(t, tc.md)
			if got := strings.Contains(out, "only the beginning is shown"); got != tc.wantTruncated {
				t.Errorf("truncation note present = %v, want %v", got, tc.wantTruncated)
			}
			if got := strings.Contains(out, "TAILMARK"); got != tc.wantMarker {
				t.Errorf("tail present = %v, want %v", got, tc.wantMarker)
			}
			if got := strings.HasPrefix(out, "<pre>"); got != tc.wantPlain {
				t.Errorf("plain-text fallback = %v, want %v", got, tc.wantPlain)
			}
			if !utf8.ValidString(out) {
				t.Error("output is not valid UTF-8")
			}
			if len(out) > maxOutput+len(truncatedNote) {
				t.Errorf("output is %d bytes", len(out))
			}
		})
	}
}

// TestRenderComplexityLimits feeds inputs on which goldmark is slow or
// expands a lot (see guard.go): each must fall back to plain text quickly,
// while comparable legitimate documents still render as markdown.
func TestRenderComplexityLimits(t *testing.T) {
	paras := func(unit string, size, count int) string {
		p := strings.Repeat(unit, size/len(unit)) + "\n\n"
		return strings.Repeat(p, count)
	}
	lines := func(line string, n int) string { return strings.Repeat(line+"\n", n) }
	table := func(cols, rows int) string {
		return "|" + strings.Repeat(" h |", cols) + "\n|" + strings.Repeat("---|", cols) + "\n" + lines("| x |", rows)
	}
	for _, tc := range []struct {
		name      string
		md        string
		wantPlain bool
	}{
		// Over a limit.
		{"deep block quote on one line", strings.Repeat(">", 100_000), true},
		{"deep list markers on one line", strings.Repeat("- ", 50_000) + "x", true},
		{"33 nested containers", strings.Repeat("> ", 17) + strings.Repeat("1. ", 16) + "x", true},
		{"long stretch without blank lines", lines("some words here", maxRun/16+1), true},
		{"table padding amplification", table(400, 300), true},
		{"one huge paragraph", strings.Repeat("word ", maxInline/5+1), true},
		{"unclosed links in one paragraph", strings.Repeat("[a](", 100_000), true},
		{"unclosed links in many paragraphs", paras("[a](", 8<<10, 60), true},
		{"unmatched emphasis in many paragraphs", paras("_a", 8<<10, 60), true},
		{"unclosed images", paras("![a](", 8<<10, 60), true},
		{"unmatched code spans", paras("`a``", 8<<10, 60), true},
		{"link reference definitions", lines("[a]: b", 4100), true},
		{"output amplification", lines(strings.Repeat("> ", 32)+"x\n", 2600), true},
		// Within the limits.
		{"normal nesting", strings.Repeat("> ", 5) + strings.Repeat("- ", 5) + "x", false},
		{"32 nested containers", strings.Repeat("> ", 16) + strings.Repeat("- ", 16) + "x", false},
		{"big table", table(10, 500), false},
		{"long tight list of links", lines("- [pkg/name](https://example.com/pkg/name) - does *things*", 1000), false},
		{"many reference definitions", lines("[ref]: https://example.com/x", 500) + "\n[ref] text", false},
		{"many normal paragraphs", paras("Some [link](https://e.com) and *em* text. ", 2000, 60), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			out := render(t, tc.md)
			if elapsed := time.Since(start); elapsed > 20*time.Second {
				t.Errorf("took %v", elapsed)
			}
			gotPlain := strings.HasPrefix(out, "<pre>")
			if gotPlain != tc.wantPlain {
				t.Errorf("plain-text fallback = %v, want %v", gotPlain, tc.wantPlain)
			}
			if gotPlain && !strings.Contains(out, "too complex to render") {
				t.Error("fallback lacks its note")
			}
			if len(out) > maxOutput+len(complexNote)+len(truncatedNote) && !gotPlain {
				t.Errorf("output is %d bytes", len(out))
			}
			checkSafeHTML(t, out)
		})
	}
}

func TestTruncateCutsAtLineBreak(t *testing.T) {
	in := []byte(strings.Repeat("a", MaxSize-10) + "\nsecond line that crosses the limit")
	got, truncated := truncate(in)
	if !truncated || !bytes.Equal(got, in[:MaxSize-9]) {
		t.Errorf("truncate cut at %d (truncated=%v), want %d", len(got), truncated, MaxSize-9)
	}
}

func TestRenderFile(t *testing.T) {
	for _, tc := range []struct {
		name, file, content string
		want                string
	}{
		{"markdown", "README.md", "# Hi", "<h1>Hi</h1>"},
		{"markdown upper-case extension", "readme.MARKDOWN", "*x*", "<em>x</em>"},
		{"plain text", "README.txt", "a <b> & c\n  indented", "<pre>a &lt;b&gt; &amp; c\n  indented</pre>"},
		{"bare README", "README", "<script>alert(1)</script>", "<pre>&lt;script&gt;alert(1)&lt;/script&gt;</pre>"},
		{"rst as text", "README.rst", "Title\n=====", "<pre>Title\n=====</pre>"},
		{"invalid utf-8", "README", "a\xffb", "<pre>a\uFFFDb</pre>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := RenderFile(tc.file, []byte(tc.content))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("RenderFile(%q) = %q, want it to contain %q", tc.file, out, tc.want)
			}
			checkSafeHTML(t, out)
		})
	}
	out, _ := RenderFile("README.txt", bytes.Repeat([]byte("z\n"), MaxSize))
	if !strings.Contains(out, "only the beginning is shown") || len(out) > MaxSize+len("<pre></pre>\n")+len(truncatedNote) {
		t.Errorf("plain text not truncated: %d bytes", len(out))
	}
}

func TestIsMarkdown(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"README.md", true}, {"x.MD", true}, {"README.markdown", true}, {"README.mdown", true},
		{"README.mkdn", true}, {"README.mkd", true}, {"README.mdwn", true},
		{"README", false}, {"README.txt", false}, {"README.rst", false}, {"md", false}, {"README.md.txt", false},
	} {
		if got := IsMarkdown(tc.name); got != tc.want {
			t.Errorf("IsMarkdown(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestFind(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
		want  string
	}{
		{"none", []string{"composer.json", "src", "LICENSE"}, ""},
		{"empty", nil, ""},
		{"only md", []string{"composer.json", "README.md"}, "README.md"},
		{"lower case", []string{"readme.md", "src"}, "readme.md"},
		{"mixed case", []string{"ReadMe.Md"}, "ReadMe.Md"},
		{"md beats plain", []string{"README", "README.txt", "README.md"}, "README.md"},
		{"md beats markdown", []string{"README.markdown", "readme.md"}, "readme.md"},
		{"markdown beats bare", []string{"README", "README.markdown"}, "README.markdown"},
		{"any markdown beats bare", []string{"README", "README.mdwn"}, "README.mdwn"},
		{"bare beats txt", []string{"README.txt", "README"}, "README"},
		{"txt beats rst", []string{"README.rst", "readme.txt"}, "readme.txt"},
		{"canonical spelling wins", []string{"readme.md", "Readme.md", "README.md"}, "README.md"},
		{"canonical spelling wins regardless of order", []string{"README.md", "readme.md"}, "README.md"},
		{"then byte order", []string{"readme.md", "Readme.md"}, "Readme.md"},
		{"upper-case extension is not canonical", []string{"Readme.md", "README.MD", "README.md"}, "README.md"},
		{"not at root", []string{"docs/README.md", "README.txt"}, "README.txt"},
		{"other readme-ish names ignored", []string{"README.de.md", "READMEmd", "README.html", "readme-old.md", "README.md.bak"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Find(tc.files)
			if got != tc.want || ok != (tc.want != "") {
				t.Errorf("Find(%q) = %q, %v; want %q, %v", tc.files, got, ok, tc.want, tc.want != "")
			}
		})
	}
}

func TestRenderConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			md := fmt.Sprintf("# Doc %d\n\n| a |\n|---|\n| %d |\n\n<img src=x onerror=alert(%d)>", i, i, i)
			out, err := Render([]byte(md))
			if err != nil {
				t.Error(err)
				return
			}
			if !strings.Contains(out, fmt.Sprintf("<h1>Doc %d</h1>", i)) || strings.Contains(out, "onerror") {
				t.Errorf("bad output for %d: %s", i, out)
			}
		})
	}
	wg.Wait()
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"# T\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n\n~~x~~ https://e.com www.e.org a@b.co\n\n- [x] y\n- [ ] z\n",
		"```go\ncode\n```\n> quote\n\n1. one\n2. two\n\n[ref]: https://e.com \"t\"\n",
		"<script>alert(1)</script><img src=x onerror=alert(1)>",
		"[x](javascript:alert(1)) ![y](data:image/png;base64,AA==)",
		`<a href="&#x6A;avascript&#x3A;alert(1)">c</a><p style="x" onclick="y">p</p>`,
		"<!--><script>-->",
		"<details open><summary>s</summary>\n\n*b*\n\n</details>",
		"\x00\xff<\x80>",
		"| a |\n|---|\n| <script> |",
		"- [x] <input type=text onfocus=alert(1) autofocus>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, md []byte) {
		out, err := Render(md)
		if err != nil {
			t.Fatalf("Render: %v", err)
		}
		checkSafeHTML(t, out)
	})
}

func BenchmarkRender(b *testing.B) {
	var sb strings.Builder
	for i := range 200 {
		fmt.Fprintf(&sb, "## Section %d\n\nSome *text* with a [link](https://example.com/%d) and `code`.\n\n| a | b |\n|---|---|\n| %d | x |\n\n", i, i, i)
	}
	md := []byte(sb.String())
	b.SetBytes(int64(len(md)))
	for b.Loop() {
		if _, err := Render(md); err != nil {
			b.Fatal(err)
		}
	}
}
