package webhook

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cargoman/cargoman/internal/repourl"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

var (
	githubURLs = []string{
		"https://github.com/acme/widget",
		"https://github.com/acme/widget.git",
		"git@github.com:acme/widget.git",
		"git://github.com/acme/widget.git",
	}
	gitlabURLs = []string{
		"https://gitlab.example.com/acme/php/widget",
		"https://gitlab.example.com/acme/php/widget.git",
		"git@gitlab.example.com:acme/php/widget.git",
	}
	bitbucketURLs = []string{
		"https://bitbucket.org/acme/widget",
		"git@bitbucket.org:acme/widget.git",
	}
	bitbucketDCURLs = []string{
		"ssh://git@bitbucket.example.com:7999/php/widget.git",
		"https://bitbucket.example.com/scm/php/widget.git",
		"https://bitbucket.example.com/projects/PHP/repos/widget/browse",
	}
)

func TestParseFixtures(t *testing.T) {
	for _, c := range []struct {
		file     string
		provider Provider
		header   http.Header
		want     Delivery
		sync     bool
	}{
		{
			file: "github_push.json", provider: GitHub,
			header: headers("X-GitHub-Event", "push", "X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958", "X-GitHub-Hook-ID", "512345678"),
			want: Delivery{Event: "push", ID: "72d3162e-cc78-11e3-81ab-4c9367dc0958", HookID: "512345678",
				RepositoryURLs: githubURLs, Push: true, Refs: []string{"refs/heads/main"}},
			sync: true,
		},
		{
			file: "github_ping.json", provider: GitHub,
			header: headers("X-GitHub-Event", "ping", "X-GitHub-Delivery", "d1", "X-GitHub-Hook-ID", "512345678"),
			want:   Delivery{Event: "ping", ID: "d1", HookID: "512345678", RepositoryURLs: githubURLs, Ping: true},
		},
		{
			file: "github_create_tag.json", provider: GitHub,
			header: headers("X-GitHub-Event", "create", "X-GitHub-Delivery", "d2"),
			want:   Delivery{Event: "create", ID: "d2", RepositoryURLs: githubURLs, Refs: []string{"refs/tags/v1.2.0"}},
			sync:   true,
		},
		{
			file: "github_create_tag.json", provider: GitHub,
			header: headers("X-GitHub-Event", "delete", "X-GitHub-Delivery", "d3"),
			want:   Delivery{Event: "delete", ID: "d3", RepositoryURLs: githubURLs, Refs: []string{"refs/tags/v1.2.0"}},
			sync:   true,
		},
		{
			file: "github_release.json", provider: GitHub,
			header: headers("X-GitHub-Event", "release", "X-GitHub-Delivery", "d4"),
			want:   Delivery{Event: "release", ID: "d4", RepositoryURLs: githubURLs, Refs: []string{"refs/tags/v1.2.0"}},
			sync:   true,
		},
		{
			file: "github_push.json", provider: GitHub,
			header: headers("X-GitHub-Event", "issues", "X-GitHub-Delivery", "d5"),
			want:   Delivery{Event: "issues", ID: "d5", RepositoryURLs: githubURLs},
		},
		{
			file: "gitlab_push.json", provider: GitLab,
			header: headers("X-Gitlab-Event", "Push Hook", "Idempotency-Key", "f5e5f430-f6f1-4e1b-af00-e5c2a5b4f2d2",
				"X-Gitlab-Event-UUID", "13792a34-cac6-4fda-95a8-c58e00a3954e", "X-Gitlab-Token", "s3cret"),
			want: Delivery{Event: "Push Hook", ID: "f5e5f430-f6f1-4e1b-af00-e5c2a5b4f2d2",
				RepositoryURLs: gitlabURLs, Push: true, Refs: []string{"refs/heads/main"}},
			sync: true,
		},
		{
			file: "gitlab_tag_push.json", provider: GitLab,
			header: headers("X-Gitlab-Event", "Tag Push Hook", "X-Gitlab-Event-UUID", "13792a34-cac6-4fda-95a8-c58e00a3954e"),
			want: Delivery{Event: "Tag Push Hook", ID: "13792a34-cac6-4fda-95a8-c58e00a3954e",
				RepositoryURLs: append(slices.Clone(gitlabURLs), "ssh://git@gitlab.example.com/acme/php/widget.git"),
				Push:           true, Refs: []string{"refs/tags/v1.2.0"}},
			sync: true,
		},
		{
			file: "gitlab_push.json", provider: GitLab,
			header: headers("X-Gitlab-Event", "System Hook", "X-Gitlab-Webhook-UUID", "02affd2d-2cba-4033-917d-ec22d5dc4b38"),
			want: Delivery{Event: "System Hook", ID: "02affd2d-2cba-4033-917d-ec22d5dc4b38",
				RepositoryURLs: gitlabURLs, Push: true, Refs: []string{"refs/heads/main"}},
			sync: true,
		},
		{
			file: "gitlab_system_repository_update.json", provider: GitLab,
			header: headers("X-Gitlab-Event", "System Hook", "X-Gitlab-Event-UUID", "u1"),
			want: Delivery{Event: "System Hook", ID: "u1", RepositoryURLs: gitlabURLs, Push: true,
				Refs: []string{"refs/heads/main", "refs/tags/v1.2.0"}},
			sync: true,
		},
		{
			file: "gitlab_push.json", provider: GitLab,
			header: headers("X-Gitlab-Event", "Merge Request Hook", "X-Gitlab-Event-UUID", "u2"),
			want:   Delivery{Event: "Merge Request Hook", ID: "u2", RepositoryURLs: gitlabURLs},
		},
		{
			file: "bitbucket_push.json", provider: Bitbucket,
			header: headers("X-Event-Key", "repo:push", "X-Request-UUID", "a8a0a3c8-9f6a-4c36-9d0a-1e2b3c4d5e6f",
				"X-Hook-UUID", "{cb06e8c2-7a5f-4a8e-8a25-3a3c2c5c6d7e}", "X-Attempt-Number", "1"),
			want: Delivery{Event: "repo:push", ID: "a8a0a3c8-9f6a-4c36-9d0a-1e2b3c4d5e6f", HookID: "{cb06e8c2-7a5f-4a8e-8a25-3a3c2c5c6d7e}",
				RepositoryURLs: bitbucketURLs, Push: true,
				Refs: []string{"refs/heads/main", "refs/tags/v1.2.0", "refs/heads/feature/old"}},
			sync: true,
		},
		{
			file: "bitbucket_push.json", provider: Bitbucket,
			header: headers("X-Event-Key", "pullrequest:created", "X-Request-UUID", "r2"),
			want:   Delivery{Event: "pullrequest:created", ID: "r2", RepositoryURLs: bitbucketURLs},
		},
		{
			file: "bitbucket_dc_refs_changed.json", provider: Bitbucket,
			header: headers("X-Event-Key", "repo:refs_changed", "X-Request-Id", "2a1b3c4d-0000-4000-8000-000000000001"),
			want: Delivery{Event: "repo:refs_changed", ID: "2a1b3c4d-0000-4000-8000-000000000001",
				RepositoryURLs: bitbucketDCURLs, Push: true, Refs: []string{"refs/heads/main", "refs/tags/v1.2.0"}},
			sync: true,
		},
		{
			file: "bitbucket_dc_ping.json", provider: Bitbucket,
			header: headers("X-Event-Key", "diagnostics:ping", "X-Request-Id", "p1"),
			want:   Delivery{Event: "diagnostics:ping", ID: "p1", Ping: true},
		},
	} {
		t.Run(c.file+"/"+c.want.Event, func(t *testing.T) {
			d, err := Parse(c.provider, c.header, fixture(t, c.file))
			if err != nil {
				t.Fatal(err)
			}
			c.want.Provider = c.provider
			c.want.sync = d.sync // compared through ShouldSync below
			if !equalDelivery(*d, c.want) {
				t.Errorf("Parse =\n%#v\nwant\n%#v", *d, c.want)
			}
			if d.ShouldSync() != c.sync {
				t.Errorf("ShouldSync = %v, want %v", d.ShouldSync(), c.sync)
			}
		})
	}
}

func equalDelivery(a, b Delivery) bool {
	return a.Provider == b.Provider && a.Event == b.Event && a.ID == b.ID && a.HookID == b.HookID &&
		slices.Equal(a.RepositoryURLs, b.RepositoryURLs) && a.Ping == b.Ping && a.Push == b.Push &&
		slices.Equal(a.Refs, b.Refs) && a.sync == b.sync
}

func TestParseMatchesRepository(t *testing.T) {
	for _, c := range []struct {
		file     string
		provider Provider
		header   http.Header
		match    []string
		noMatch  []string
	}{
		{"github_push.json", GitHub, headers("X-GitHub-Event", "push"),
			[]string{"https://github.com/acme/widget.git", "git@github.com:acme/widget.git", "https://github.com/Acme/Widget", "ssh://git@github.com/acme/widget.git", "http://www.github.com/acme/widget/"},
			[]string{"https://github.com/acme/widget2", "https://gitlab.com/acme/widget", "", "widget"}},
		{"gitlab_push.json", GitLab, headers("X-Gitlab-Event", "Push Hook"),
			[]string{"https://gitlab.example.com/acme/php/widget.git", "git@gitlab.example.com:acme/php/widget.git", "ssh://git@gitlab.example.com:2222/acme/php/widget.git"},
			[]string{"https://gitlab.example.com/acme/widget", "https://gitlab.example.com/acme/php"}},
		{"bitbucket_push.json", Bitbucket, headers("X-Event-Key", "repo:push"),
			[]string{"https://bitbucket.org/acme/widget.git", "git@bitbucket.org:acme/widget.git", "https://alan@bitbucket.org/acme/widget.git"},
			[]string{"https://bitbucket.org/acme/other"}},
		{"bitbucket_dc_refs_changed.json", Bitbucket, headers("X-Event-Key", "repo:refs_changed"),
			[]string{"https://bitbucket.example.com/scm/php/widget.git", "ssh://git@bitbucket.example.com:7999/php/widget.git"},
			[]string{"https://bitbucket.org/php/widget"}},
	} {
		d, err := Parse(c.provider, c.header, fixture(t, c.file))
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range c.match {
			if !d.MatchesRepository(u) {
				t.Errorf("%s: MatchesRepository(%q) = false, URLs %v", c.file, u, d.RepositoryURLs)
			}
		}
		for _, u := range c.noMatch {
			if d.MatchesRepository(u) {
				t.Errorf("%s: MatchesRepository(%q) = true", c.file, u)
			}
		}
	}
	var nilDelivery *Delivery
	if nilDelivery.MatchesRepository("https://github.com/a/b") || nilDelivery.ShouldSync() {
		t.Error("nil Delivery matches")
	}
}

func TestParseIDs(t *testing.T) {
	body := `{"repository":{"html_url":"https://github.com/a/b","full_name":"a/b"},"project":{"web_url":"https://gitlab.com/a/b"}}`
	derived := "body-sha256:"
	for _, c := range []struct {
		name     string
		provider Provider
		header   http.Header
		want     string
	}{
		{"github delivery", GitHub, headers("X-GitHub-Event", "push", "X-GitHub-Delivery", "gh-1"), "gh-1"},
		{"github none", GitHub, headers("X-GitHub-Event", "push"), derived},
		{"gitlab idempotency key first", GitLab, headers("X-Gitlab-Event", "Push Hook", "X-Gitlab-Webhook-UUID", "w", "X-Gitlab-Event-UUID", "e", "Idempotency-Key", "k"), "k"},
		{"gitlab event uuid second", GitLab, headers("X-Gitlab-Event", "Push Hook", "X-Gitlab-Webhook-UUID", "w", "X-Gitlab-Event-UUID", "e"), "e"},
		{"gitlab webhook uuid last", GitLab, headers("X-Gitlab-Event", "Push Hook", "X-Gitlab-Webhook-UUID", "w"), "w"},
		{"gitlab blank header skipped", GitLab, headers("X-Gitlab-Event", "Push Hook", "Idempotency-Key", "  ", "X-Gitlab-Event-UUID", "e"), "e"},
		{"gitlab none", GitLab, headers("X-Gitlab-Event", "Push Hook"), derived},
		{"bitbucket cloud", Bitbucket, headers("X-Event-Key", "repo:push", "X-Request-UUID", "r", "X-Hook-UUID", "h"), "r"},
		{"bitbucket data center", Bitbucket, headers("X-Event-Key", "repo:refs_changed", "X-Request-Id", "dc"), "dc"},
		{"bitbucket hook uuid is not a delivery id", Bitbucket, headers("X-Event-Key", "repo:push", "X-Hook-UUID", "h"), derived},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := Parse(c.provider, c.header, []byte(body))
			if err != nil {
				t.Fatal(err)
			}
			if c.want == derived {
				if !strings.HasPrefix(d.ID, derived) || len(d.ID) != len(derived)+64 {
					t.Fatalf("ID = %q, want a body digest", d.ID)
				}
				again, _ := Parse(c.provider, c.header, []byte(body))
				other, _ := Parse(c.provider, c.header, []byte(body+" "))
				if again.ID != d.ID || other.ID == d.ID {
					t.Fatalf("derived IDs: %q, %q, %q", d.ID, again.ID, other.ID)
				}
				return
			}
			if d.ID != c.want {
				t.Fatalf("ID = %q, want %q", d.ID, c.want)
			}
		})
	}
}

func TestParseEvents(t *testing.T) {
	repo := `"repository":{"html_url":"https://github.com/a/b"}`
	for _, c := range []struct {
		name, event, body string
		sync, ping, push  bool
		refs              []string
	}{
		{"push branch deletion", "push", `{"ref":"refs/heads/old","deleted":true,` + repo + `}`, true, false, true, []string{"refs/heads/old"}},
		{"create branch", "create", `{"ref":"feature/x","ref_type":"branch",` + repo + `}`, true, false, false, []string{"refs/heads/feature/x"}},
		{"create repository", "create", `{"ref":null,"ref_type":"repository",` + repo + `}`, false, false, false, nil},
		{"release draft", "release", `{"action":"published","release":{"tag_name":"v1","draft":true},` + repo + `}`, false, false, false, nil},
		{"release prereleased", "release", `{"action":"prereleased","release":{"tag_name":"v1-rc1","draft":false},` + repo + `}`, true, false, false, []string{"refs/tags/v1-rc1"}},
		{"release edited", "release", `{"action":"edited","release":{"tag_name":"v1"},` + repo + `}`, false, false, false, nil},
		{"org ping without repository", "ping", `{"zen":"x","hook_id":1,"organization":{"login":"acme"}}`, false, true, false, nil},
		{"ping never syncs", "ping", `{"zen":"x","ref":"refs/heads/main",` + repo + `}`, false, true, false, nil},
		{"odd field types are ignored", "push", `{"ref":42,"repository":{"html_url":["x"],"clone_url":"https://github.com/a/b.git","ssh_url":null}}`, true, false, true, nil},
		{"non-URL values dropped", "push", `{"ref":"refs/heads/x","repository":{"html_url":"javascript:alert(1)","clone_url":"https://github.com/a/b.git"}}`, true, false, true, []string{"refs/heads/x"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := Parse(GitHub, headers("X-GitHub-Event", c.event), []byte(c.body))
			if err != nil {
				t.Fatal(err)
			}
			if d.ShouldSync() != c.sync || d.Ping != c.ping || d.Push != c.push || !slices.Equal(d.Refs, c.refs) {
				t.Fatalf("got sync=%v ping=%v push=%v refs=%v", d.ShouldSync(), d.Ping, d.Push, d.Refs)
			}
			for _, u := range d.RepositoryURLs {
				if repourl.Canonical(u) == "" {
					t.Errorf("kept non-URL %q", u)
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	ghPush := headers("X-GitHub-Event", "push")
	for _, c := range []struct {
		name     string
		provider Provider
		header   http.Header
		body     string
		err      error
		msg      string
	}{
		{"empty body", GitHub, ghPush, "", ErrInvalidPayload, "empty body"},
		{"whitespace body", GitHub, ghPush, " \n", ErrInvalidPayload, "empty body"},
		{"array", GitHub, ghPush, `[]`, ErrInvalidPayload, "not a JSON object"},
		{"null", GitHub, ghPush, `null`, ErrInvalidPayload, "not a JSON object"},
		{"string", GitHub, ghPush, `"x"`, ErrInvalidPayload, "not a JSON object"},
		{"truncated", GitHub, ghPush, `{"ref": "refs/heads/main"`, ErrInvalidPayload, "not valid JSON"},
		{"syntax error", GitLab, headers("X-Gitlab-Event", "Push Hook"), `{"ref": refs}`, ErrInvalidPayload, "at byte"},
		{"trailing data", Bitbucket, headers("X-Event-Key", "repo:push"), `{} {}`, ErrInvalidPayload, "after the JSON object"},
		{"github event missing", GitHub, headers(), `{}`, ErrMissingEvent, "X-GitHub-Event"},
		{"gitlab event missing", GitLab, headers("X-Gitlab-Token", "x"), `{}`, ErrMissingEvent, "X-Gitlab-Event"},
		{"bitbucket event missing", Bitbucket, headers("X-Request-UUID", "x"), `{}`, ErrMissingEvent, "X-Event-Key"},
		{"event with control characters", GitHub, headers("X-GitHub-Event", "push\x01"), `{}`, ErrInvalidPayload, "not an event name"},
		{"absurd delivery id", GitHub, headers("X-GitHub-Event", "push", "X-GitHub-Delivery", strings.Repeat("x", 201)), `{}`, ErrInvalidPayload, "not a delivery ID"},
		{"non-ASCII delivery id", Bitbucket, headers("X-Event-Key", "repo:push", "X-Request-UUID", "é"), `{}`, ErrInvalidPayload, "not a delivery ID"},
		{"push without repository", GitHub, ghPush, `{"ref":"refs/heads/main"}`, ErrInvalidPayload, "no repository URL"},
		{"tag push without repository", GitLab, headers("X-Gitlab-Event", "Tag Push Hook"), `{"ref":"refs/tags/v1"}`, ErrInvalidPayload, "no repository URL"},
		{"unknown provider", "gitea", ghPush, `{}`, ErrUnknownProvider, "gitea"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := Parse(c.provider, c.header, []byte(c.body))
			if !errors.Is(err, c.err) || d != nil {
				t.Fatalf("Parse = %v, %v; want %v", d, err, c.err)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("error %q does not mention %q", err, c.msg)
			}
		})
	}
}

func TestParseGitHubForm(t *testing.T) {
	payload := fixture(t, "github_push.json")
	body := "payload=" + url.QueryEscape(string(payload))
	h := headers("X-GitHub-Event", "push", "Content-Type", "application/x-www-form-urlencoded")
	d, err := Parse(GitHub, h, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if !d.ShouldSync() || !slices.Equal(d.RepositoryURLs, githubURLs) {
		t.Fatalf("got %+v", d)
	}
	if _, err := Parse(GitHub, h, []byte("other=1")); !errors.Is(err, ErrInvalidPayload) {
		t.Fatalf("form without payload: err = %v", err)
	}
	if _, err := Parse(GitHub, h, []byte("payload=%zz")); !errors.Is(err, ErrInvalidPayload) {
		t.Fatalf("bad form: err = %v", err)
	}
	// A JSON body with a JSON content type is read as JSON.
	h.Set("Content-Type", "application/json")
	if _, err := Parse(GitHub, h, payload); err != nil {
		t.Fatal(err)
	}
}

// TestParseHeads: the commit each push leaves its refs at, which lets the
// handler recognise a replay of a push the package already has.
func TestParseHeads(t *testing.T) {
	for _, c := range []struct {
		file     string
		provider Provider
		header   http.Header
		want     map[string]string
	}{
		{"github_push.json", GitHub, headers("X-GitHub-Event", "push", "X-GitHub-Delivery", "d"),
			map[string]string{"refs/heads/main": "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c"}},
		{"github_create_tag.json", GitHub, headers("X-GitHub-Event", "create", "X-GitHub-Delivery", "d"), nil},
		{"gitlab_push.json", GitLab, headers("X-Gitlab-Event", "Push Hook", "X-Gitlab-Event-UUID", "d"),
			map[string]string{"refs/heads/main": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"}},
		{"gitlab_tag_push.json", GitLab, headers("X-Gitlab-Event", "Tag Push Hook", "X-Gitlab-Event-UUID", "d"),
			map[string]string{"refs/tags/v1.2.0": "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7"}},
		{"gitlab_system_repository_update.json", GitLab, headers("X-Gitlab-Event", "System Hook", "X-Gitlab-Event-UUID", "d"),
			map[string]string{"refs/heads/main": "4045ea7a3df38697b3730a20fb73c8bed8a3e69e", "refs/tags/v1.2.0": "4045ea7a3df38697b3730a20fb73c8bed8a3e69e"}},
		{"bitbucket_push.json", Bitbucket, headers("X-Event-Key", "repo:push", "X-Request-UUID", "d"),
			map[string]string{"refs/heads/main": "709d658dc5b6d6afcd46049c2f332ee3f515a67d", "refs/tags/v1.2.0": "709d658dc5b6d6afcd46049c2f332ee3f515a67d", "refs/heads/feature/old": ZeroCommit}},
		{"bitbucket_dc_refs_changed.json", Bitbucket, headers("X-Event-Key", "repo:refs_changed", "X-Request-Id", "d"),
			map[string]string{"refs/heads/main": "178864a7d521b6f5e720b386b2c2b0ef8563e0dc", "refs/tags/v1.2.0": "178864a7d521b6f5e720b386b2c2b0ef8563e0dc"}},
	} {
		t.Run(c.file, func(t *testing.T) {
			d, err := Parse(c.provider, c.header, fixture(t, c.file))
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(d.Heads, c.want) {
				t.Errorf("Heads = %v, want %v", d.Heads, c.want)
			}
		})
	}
	// Anything but a full lowercase hex SHA is no head.
	for _, after := range []string{"", "abc", strings.Repeat("G", 40), strings.Repeat("A", 40), `x"` + strings.Repeat("a", 38)} {
		body := `{"ref":"refs/heads/main","after":` + strconv.Quote(after) + `,"repository":{"html_url":"https://github.com/acme/widget"}}`
		d, err := Parse(GitHub, headers("X-GitHub-Event", "push", "X-GitHub-Delivery", "d"), []byte(body))
		if err != nil || d.Heads != nil {
			t.Errorf("after %q: Heads = %v, err %v", after, d.Heads, err)
		}
	}
	d, err := Parse(GitHub, headers("X-GitHub-Event", "push", "X-GitHub-Delivery", "d"),
		[]byte(`{"ref":"refs/heads/gone","after":"`+ZeroCommit+`","deleted":true,"repository":{"html_url":"https://github.com/acme/widget"}}`))
	if err != nil || d.Heads["refs/heads/gone"] != ZeroCommit {
		t.Errorf("deleted branch: Heads = %v, err %v", d.Heads, err)
	}
}
