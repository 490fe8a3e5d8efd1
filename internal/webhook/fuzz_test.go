package webhook

import (
	"crypto/hmac"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cargoman/cargoman/internal/repourl"
)

var fuzzProviders = []Provider{GitHub, GitLab, Bitbucket}

// FuzzParse feeds arbitrary bodies and headers to Parse: it must never panic,
// fail only with its documented errors, and return well-formed deliveries.
func FuzzParse(f *testing.F) {
	events := map[string]string{
		"github": "push", "gitlab": "Push Hook", "bitbucket": "repo:push",
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		base := filepath.Base(file)
		for i, p := range fuzzProviders {
			if strings.HasPrefix(base, string(p)) {
				f.Add(uint8(i), events[string(p)], "id-1", "", data)
				f.Add(uint8(i), "System Hook", "", "", data)
			}
		}
	}
	f.Add(uint8(0), "ping", "x", "application/x-www-form-urlencoded", []byte("payload=%7B%7D"))
	f.Add(uint8(2), "diagnostics:ping", "", "", []byte(`{"test":true}`))
	f.Add(uint8(1), "Tag Push Hook", "k", "", []byte(`{"ref":"refs/tags/v1","project":{"web_url":"git@h.example:a/b"}}`))

	f.Fuzz(func(t *testing.T, p uint8, event, id, contentType string, body []byte) {
		provider := fuzzProviders[int(p)%len(fuzzProviders)]
		h := http.Header{}
		h.Set("Content-Type", contentType)
		switch provider {
		case GitHub:
			h.Set("X-GitHub-Event", event)
			h.Set("X-GitHub-Delivery", id)
		case GitLab:
			h.Set("X-Gitlab-Event", event)
			h.Set("Idempotency-Key", id)
		case Bitbucket:
			h.Set("X-Event-Key", event)
			h.Set("X-Request-UUID", id)
		}
		d, err := Parse(provider, h, body)
		if err != nil {
			if d != nil {
				t.Fatal("delivery returned with an error")
			}
			if !errors.Is(err, ErrInvalidPayload) && !errors.Is(err, ErrMissingEvent) {
				t.Fatalf("undocumented error: %v", err)
			}
			return
		}
		if d.Provider != provider || d.Event == "" || d.ID == "" || !plausible(d.Event) || !plausible(d.ID) {
			t.Fatalf("bad delivery header fields: %+v", d)
		}
		if d.ShouldSync() && (len(d.RepositoryURLs) == 0 || d.Ping) {
			t.Fatalf("sync without repository or while pinging: %+v", d)
		}
		if d.Ping && d.Push {
			t.Fatalf("ping and push at once: %+v", d)
		}
		for _, u := range d.RepositoryURLs {
			if repourl.Canonical(u) == "" || !d.MatchesRepository(u) {
				t.Fatalf("unusable repository URL %q", u)
			}
		}
		seen := map[string]bool{}
		for _, r := range d.Refs {
			if !strings.HasPrefix(r, "refs/") || seen[r] {
				t.Fatalf("bad refs %q", d.Refs)
			}
			seen[r] = true
		}
	})
}

// FuzzVerify checks that Verify never panics, accepts only signatures that
// really match the secret it names, and always accepts a correct one.
func FuzzVerify(f *testing.F) {
	body := []byte(`{"ref":"refs/heads/main"}`)
	f.Add(uint8(0), sign("a", string(body)), body, []byte("a"), []byte("b"))
	f.Add(uint8(1), "a", body, []byte("a"), []byte(""))
	f.Add(uint8(2), "sha256=00", body, []byte(""), []byte("b"))
	f.Add(uint8(2), "sha256="+strings.Repeat("0", 64), []byte{}, []byte("x"), []byte("x"))

	f.Fuzz(func(t *testing.T, p uint8, sig string, body, s0, s1 []byte) {
		provider := fuzzProviders[int(p)%len(fuzzProviders)]
		name := map[Provider]string{GitHub: HeaderGitHubSignature, GitLab: HeaderGitLabToken, Bitbucket: HeaderBitbucketSignature}[provider]
		list := [][]byte{s0, s1}
		h := http.Header{}
		h.Set(name, sig)

		i, err := Verify(provider, h, body, list)
		if err != nil {
			if i != -1 {
				t.Fatalf("index %d with error %v", i, err)
			}
			if !errors.Is(err, ErrMissingSignature) && !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrNoSecrets) {
				t.Fatalf("undocumented error: %v", err)
			}
		} else {
			if i < 0 || i > 1 || len(list[i]) == 0 {
				t.Fatalf("matched index %d of %q", i, list)
			}
			var ok bool
			if provider == GitLab {
				ok = sig == string(list[i])
			} else {
				ok = strings.HasPrefix(sig, "sha256=") &&
					"sha256="+strings.ToLower(sig[len("sha256="):]) == sign(string(list[i]), string(body))
			}
			if !ok {
				t.Fatalf("accepted %q for secret %q", sig, list[i])
			}
		}

		// A correct signature for the second secret is always accepted,
		// reported as the first secret that produces it. (HMAC zero-pads
		// short keys, so "s" and "s\x00" sign alike.)
		if len(s1) == 0 {
			return
		}
		good := string(s1)
		want := 1
		if provider != GitLab {
			good = sign(string(s1), string(body))
			if len(s0) > 0 && sign(string(s0), string(body)) == good {
				want = 0
			}
		} else if hmac.Equal(s0, s1) {
			want = 0
		}
		if !plausibleHeaderValue(good) {
			return // net/http would never deliver such a header
		}
		h.Set(name, good)
		if i, err := Verify(provider, h, body, list); err != nil || i != want {
			t.Fatalf("correct signature: Verify = %d, %v; want %d", i, err, want)
		}
	})
}

// plausibleHeaderValue reports whether net/http could receive v as a header
// value unchanged (it trims surrounding blanks and rejects control bytes).
func plausibleHeaderValue(v string) bool {
	if v == "" || strings.TrimSpace(v) != v {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 && v[i] != '\t' || v[i] == 0x7f {
			return false
		}
	}
	return true
}
