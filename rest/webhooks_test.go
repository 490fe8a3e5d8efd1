package rest_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/cargoman/cargoman/internal/testenv"
)

func sign(secret, body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(body))
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func deliver(t *testing.T, s *testenv.Server, provider string, headers map[string]string, body string) (int, string) {
	t.Helper()
	h := map[string]string{"Content-Type": "application/json"}
	for k, v := range headers {
		h[k] = v
	}
	r := s.Raw(t, http.MethodPost, "/api/webhooks/"+provider, "", strings.NewReader(body), h)
	return r.Status, string(r.Body)
}

func TestGitProviderWebhooks(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		for _, p := range []map[string]any{
			{"name": "acme/hooked", "type": "github", "repository_url": "git@github.com:Acme/Hooked.git", "webhook_secret": "pkg-secret"},
			{"name": "acme/lab", "type": "gitlab", "repository_url": "https://gitlab.com/acme/lab.git"},
			{"name": "acme/bucket", "type": "bitbucket", "repository_url": "https://bitbucket.org/acme/bucket.git"},
		} {
			if r := s.Do(t, http.MethodPost, "/api/v1/packages", root, p); r.Status != http.StatusCreated {
				t.Fatalf("create %v: %d %s", p["name"], r.Status, r.Body)
			}
		}
		github := `{"ref":"refs/tags/v1.0.0","repository":{"full_name":"acme/hooked","html_url":"https://github.com/acme/hooked","clone_url":"https://github.com/acme/hooked.git","ssh_url":"git@github.com:acme/hooked.git"}}`
		gitlab := `{"object_kind":"push","ref":"refs/heads/main","project":{"path_with_namespace":"acme/lab","web_url":"https://gitlab.com/acme/lab","git_http_url":"https://gitlab.com/acme/lab.git","git_ssh_url":"git@gitlab.com:acme/lab.git"},"repository":{"homepage":"https://gitlab.com/acme/lab"}}`
		bitbucket := `{"push":{"changes":[{"new":{"type":"tag","name":"v1.0.0"}}]},"repository":{"full_name":"acme/bucket","links":{"html":{"href":"https://bitbucket.org/acme/bucket"}}}}`
		for _, tc := range []struct {
			name, provider string
			headers        map[string]string
			body           string
			status         int
			outcome        string
		}{
			{"github push, package secret", "github", map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "gh-1", "X-Hub-Signature-256": sign("pkg-secret", github)}, github, 202, "queued"},
			{"github replay", "github", map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "gh-1", "X-Hub-Signature-256": sign("pkg-secret", github)}, github, 200, "duplicate"},
			{"github global secret", "github", map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "gh-2", "X-Hub-Signature-256": sign(testenv.WebhookSecret, github)}, github, 202, "queued"},
			{"github bad signature", "github", map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "gh-3", "X-Hub-Signature-256": sign("wrong", github)}, github, 401, ""},
			{"github missing signature", "github", map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "gh-4"}, github, 401, ""},
			{"github ping", "github", map[string]string{"X-GitHub-Event": "ping", "X-GitHub-Delivery": "gh-5", "X-Hub-Signature-256": sign(testenv.WebhookSecret, `{"zen":"hi","hook_id":1}`)}, `{"zen":"hi","hook_id":1}`, 200, "ignored"},
			{"gitlab push", "gitlab", map[string]string{"X-Gitlab-Event": "Push Hook", "X-Gitlab-Event-UUID": "gl-1", "X-Gitlab-Token": testenv.WebhookSecret}, gitlab, 202, "queued"},
			{"gitlab wrong token", "gitlab", map[string]string{"X-Gitlab-Event": "Push Hook", "X-Gitlab-Event-UUID": "gl-2", "X-Gitlab-Token": "nope"}, gitlab, 401, ""},
			{"bitbucket push", "bitbucket", map[string]string{"X-Event-Key": "repo:push", "X-Request-UUID": "bb-1", "X-Hub-Signature": sign(testenv.WebhookSecret, bitbucket)}, bitbucket, 202, "queued"},
			{"unknown provider", "svn", nil, "{}", 404, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, body := deliver(t, s, tc.provider, tc.headers, tc.body)
				if status != tc.status || (tc.outcome != "" && !strings.Contains(body, `"outcome":"`+tc.outcome+`"`)) {
					t.Fatalf("got %d %s, want %d %s", status, body, tc.status, tc.outcome)
				}
			})
		}
		// Deliveries are listed per package, newest first, with outcomes.
		var list []struct {
			Provider   string `json:"provider"`
			DeliveryID string `json:"delivery_id"`
			Outcome    string `json:"outcome"`
		}
		r := s.Do(t, http.MethodGet, "/api/v1/packages/acme/hooked/webhook-deliveries", root, nil)
		r.JSON(t, &list)
		var got []string
		for _, d := range list {
			got = append(got, d.DeliveryID+":"+d.Outcome)
		}
		if strings.Join(got, ",") != "gh-2:queued,gh-1:queued" {
			t.Fatalf("deliveries of acme/hooked = %v", got)
		}
		var tasks []struct {
			Key string `json:"key"`
		}
		s.Do(t, http.MethodGet, "/api/v1/tasks?kind=package_sync", root, nil).JSON(t, &tasks)
		if len(tasks) < 3 {
			t.Fatalf("syncs queued: %+v", tasks)
		}
	})
}

func TestMonorepoSync(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		repo := testenv.NewGitRepo(t)
		repo.Commit("init", map[string]string{
			"composer.json":                     testenv.ComposerJSON("acme/mono", ""),
			"packages/a/composer.json":          testenv.ComposerJSON("acme/a", ""),
			"packages/a/src/A.php":              "<?php // a",
			"packages/b/composer.json":          testenv.ComposerJSON("acme/b", ""),
			"packages/b/src/B.php":              "<?php // b",
			"packages/internal/composer.json":   testenv.ComposerJSON("acme/internal", ""),
			"packages/a/.gitattributes":         "/tests export-ignore\n",
			"packages/a/tests/ATest.php":        "<?php",
			"tools/not-a-package/composer.json": testenv.ComposerJSON("acme/tool", ""),
		})
		repo.Git("tag", "v1.0.0")
		start := nowUTC()
		r := s.Do(t, http.MethodPost, "/api/v1/packages", root, map[string]any{
			"name": "acme/mono", "type": "git", "repository_url": repo.Dir,
			"monorepo_paths": []string{"packages/*"}, "monorepo_excludes": []string{"packages/internal"},
		})
		if r.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		if r := s.Do(t, http.MethodPost, "/api/v1/packages/acme/mono/monorepo/sync", root, nil); r.Status != http.StatusAccepted {
			t.Fatalf("monorepo sync: %d %s", r.Status, r.Body)
		}
		waitSynced(t, s, "acme/mono", start)
		var children []packageJSON
		r = s.Do(t, http.MethodGet, "/api/v1/packages/acme/mono/monorepo/children", root, nil)
		r.JSON(t, &children)
		var names []string
		for _, c := range children {
			names = append(names, c.Name)
		}
		if strings.Join(names, ",") != "acme/a,acme/b" {
			t.Fatalf("children = %v (%s)", names, r.Body)
		}
		var a packageJSON
		s.Do(t, http.MethodGet, "/api/v1/packages/acme/a", root, nil).JSON(t, &a)
		if got := versionNames(a, true); strings.Join(got, ",") != "1.0.0,dev-main" {
			t.Fatalf("acme/a versions = %v", got)
		}
		d := s.Do(t, http.MethodGet, "/api/v1/packages/acme/a/download/1.0.0", root, nil)
		files := topFolder(t, zipFiles(t, d.Body))
		if _, hasTests := files["tests/ATest.php"]; files["src/A.php"] != "<?php // a" || hasTests || files["composer.json"] == "" || len(files) != 3 {
			t.Fatalf("acme/a archive = %v", files)
		}
		var cfg struct {
			MonorepoPaths    []string `json:"monorepo_paths"`
			MonorepoExcludes []string `json:"monorepo_excludes"`
		}
		s.Do(t, http.MethodGet, "/api/v1/packages/acme/mono/monorepo", root, nil).JSON(t, &cfg)
		if strings.Join(cfg.MonorepoPaths, ",") != "packages/*" || strings.Join(cfg.MonorepoExcludes, ",") != "packages/internal" {
			t.Fatalf("monorepo config = %+v", cfg)
		}
		// Children sync through their parent.
		if r := s.Do(t, http.MethodPost, "/api/v1/packages/acme/a/sync", root, nil); r.Status != http.StatusBadRequest {
			t.Fatalf("sync of a child: %d %s", r.Status, r.Body)
		}
	})
}

func TestTasksAPI(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		repo := testenv.NewGitRepo(t)
		repo.Commit("init", map[string]string{"composer.json": testenv.ComposerJSON("acme/t", "")})
		start := nowUTC()
		s.Do(t, http.MethodPost, "/api/v1/packages", root, map[string]any{"name": "acme/t", "type": "git", "repository_url": repo.Dir})
		waitSynced(t, s, "acme/t", start)

		r := s.Do(t, http.MethodPost, "/api/v1/tasks", root, map[string]any{"kind": "package_sync", "args": map[string]any{"package": "acme/t"}})
		if r.Status != http.StatusCreated || !strings.Contains(string(r.Body), `"created":true`) {
			t.Fatalf("create task: %d %s", r.Status, r.Body)
		}
		for _, path := range []string{"/api/v1/tasks/sync-all", "/api/v1/tasks/cleanup"} {
			if r := s.Do(t, http.MethodPost, path, root, nil); r.Status != http.StatusAccepted {
				t.Fatalf("%s: %d %s", path, r.Status, r.Body)
			}
		}
		for _, bad := range []any{
			map[string]any{"kind": "reboot"},
			map[string]any{"kind": "package_sync"},
			map[string]any{"kind": "package_sync", "args": map[string]any{"package": 5}},
			map[string]any{"kind": "cleanup", "args": map[string]any{"x": 1}},
		} {
			if r := s.Do(t, http.MethodPost, "/api/v1/tasks", root, bad); r.Status != http.StatusBadRequest {
				t.Fatalf("bad task %v: %d %s", bad, r.Status, r.Body)
			}
		}
		if r := s.Do(t, http.MethodPost, "/api/v1/tasks", root, map[string]any{"kind": "package_sync", "args": map[string]any{"package": "acme/none"}}); r.Status != http.StatusNotFound {
			t.Fatalf("sync of unknown package: %d %s", r.Status, r.Body)
		}
		// A package whose repository is gone fails at once: no retry can
		// fix it (issue 10), so the task fails with its error recorded.
		s.Do(t, http.MethodPost, "/api/v1/packages", root, map[string]any{"name": "acme/gone", "type": "git", "repository_url": repo.Dir + "-missing"})
		var failing []struct {
			Status   string  `json:"status"`
			Attempts int     `json:"attempts"`
			Error    *string `json:"error"`
		}
		deadline := nowUTC().Add(30e9)
		for {
			s.Do(t, http.MethodGet, "/api/v1/tasks/failed", root, nil).JSON(t, &failing)
			done := false
			for _, f := range failing {
				done = done || (f.Attempts == 1 && f.Error != nil)
			}
			if done {
				break
			}
			if nowUTC().After(deadline) {
				t.Fatalf("failing sync did not fail: %+v", failing)
			}
			sleep()
		}
		for _, path := range []string{"/api/v1/tasks", "/api/v1/tasks/running", "/api/v1/tasks/failed"} {
			r := s.Do(t, http.MethodGet, path, root, nil)
			if r.Status != http.StatusOK || r.Header.Get("X-Pagination-Count") == "" {
				t.Fatalf("%s: %d %s", path, r.Status, r.Body)
			}
		}
	})
}

func TestCredentials(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		var out struct {
			CreateCredential struct {
				Credential struct{ ID, Name, Kind string }
			}
		}
		s.MustGraphQL(t, root, `mutation { createCredential(input: {name: "gh", kind: https_token, secret: "ghp_supersecret"}) { credential { id name kind } } }`, nil, &out)
		id := out.CreateCredential.Credential.ID
		if !strings.HasPrefix(id, "crd_") {
			t.Fatalf("credential = %+v", out)
		}
		r := s.Do(t, http.MethodPost, "/api/v1/packages", root, map[string]any{"name": "acme/private", "type": "github", "repository_url": "https://github.com/acme/private.git", "credential_id": id})
		if r.Status != http.StatusCreated {
			t.Fatalf("create with credential: %d %s", r.Status, r.Body)
		}
		all := s.GraphQL(t, root, `{ credentials { edges { node { id name kind username createdAt } } } }`, nil)
		if strings.Contains(string(all.Data), "supersecret") || len(all.Errors) > 0 {
			t.Fatalf("credential listing: %s %+v", all.Data, all.Errors)
		}
		if res := s.GraphQL(t, root, `mutation { createCredential(input: {name: "k", kind: ssh_key, secret: "not a key"}) { credential { id } } }`, nil); res.Code() != "VALIDATION_ERROR" {
			t.Fatalf("bad ssh key accepted: %+v", res.Errors)
		}
		viewer, _ := s.AdminToken(t, "viewer")
		if res := s.GraphQL(t, viewer, `mutation { createCredential(input: {name: "v", kind: https_token, secret: "x"}) { credential { id } } }`, nil); res.Code() != "FORBIDDEN" {
			t.Fatalf("viewer created a credential: %+v", res.Errors)
		}
	})
}

// TestCustomerWebhookTokens: a customer's webhook-scoped token stands in
// for a signature, for packages the customer may install only; other
// scopes are refused.
func TestCustomerWebhookTokens(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		admin := func(method, path string, body any) []byte {
			t.Helper()
			r := s.Do(t, method, path, root, body)
			if r.Status >= 300 {
				t.Fatalf("%s %s: %d %s", method, path, r.Status, r.Body)
			}
			return r.Body
		}
		admin(http.MethodPost, "/api/v1/packages", map[string]any{"name": "acme/lab", "type": "gitlab", "repository_url": "https://gitlab.com/acme/lab.git"})
		admin(http.MethodPost, "/api/v1/packages", map[string]any{"name": "acme/bucket", "type": "bitbucket", "repository_url": "https://bitbucket.org/acme/bucket.git"})
		var cu struct{ ID string }
		if err := json.Unmarshal(admin(http.MethodPost, "/api/v1/customers", map[string]any{"name": "Partner"}), &cu); err != nil {
			t.Fatal(err)
		}
		admin(http.MethodPost, "/api/v1/customers/"+cu.ID+"/packages", map[string]any{"package": "acme/lab"})
		token := func(scope string) string {
			var out struct {
				PlainToken string `json:"plain_token"`
			}
			if err := json.Unmarshal(admin(http.MethodPost, "/api/v1/customers/"+cu.ID+"/tokens", map[string]any{"name": scope, "scope": scope}), &out); err != nil {
				t.Fatal(err)
			}
			return out.PlainToken
		}
		hook, download := token("webhook"), token("download")
		gitlab := `{"object_kind":"push","ref":"refs/heads/main","project":{"path_with_namespace":"acme/lab","web_url":"https://gitlab.com/acme/lab","git_http_url":"https://gitlab.com/acme/lab.git"}}`
		bitbucket := `{"push":{"changes":[{"new":{"type":"tag","name":"v1.0.0"}}]},"repository":{"full_name":"acme/bucket","links":{"html":{"href":"https://bitbucket.org/acme/bucket"}}}}`
		for _, tc := range []struct {
			name, provider string
			headers        map[string]string
			body           string
			status         int
			outcome        string
		}{
			{"gitlab token header", "gitlab", map[string]string{"X-Gitlab-Event": "Push Hook", "X-Gitlab-Event-UUID": "c-1", "X-Gitlab-Token": hook}, gitlab, 202, "queued"},
			{"bearer", "gitlab", map[string]string{"X-Gitlab-Event": "Push Hook", "X-Gitlab-Event-UUID": "c-2", "Authorization": "Bearer " + hook}, gitlab, 202, "queued"},
			{"a package it may not install", "bitbucket?token=" + hook, map[string]string{"X-Event-Key": "repo:push", "X-Request-UUID": "c-3"}, bitbucket, 200, "ignored"},
			{"download scope", "gitlab", map[string]string{"X-Gitlab-Event": "Push Hook", "X-Gitlab-Event-UUID": "c-4", "X-Gitlab-Token": download}, gitlab, 403, ""},
			{"unknown token", "gitlab?token=cgm_tok_nope", map[string]string{"X-Gitlab-Event": "Push Hook", "X-Gitlab-Event-UUID": "c-5"}, gitlab, 401, ""},
			{"lower-case bearer", "gitlab", map[string]string{"X-Gitlab-Event": "Push Hook", "X-Gitlab-Event-UUID": "c-6", "Authorization": "bearer " + hook}, gitlab, 202, "queued"},
			{"X-Api-Key", "gitlab", map[string]string{"X-Gitlab-Event": "Push Hook", "X-Gitlab-Event-UUID": "c-7", "X-Api-Key": hook}, gitlab, 202, "queued"},
			{"X-Api-Key download scope", "gitlab", map[string]string{"X-Gitlab-Event": "Push Hook", "X-Gitlab-Event-UUID": "c-8", "X-Api-Key": download}, gitlab, 403, ""},
			{"HTTP Basic user token", "gitlab", map[string]string{"X-Gitlab-Event": "Push Hook", "X-Gitlab-Event-UUID": "c-9", "Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("token:"+hook))}, gitlab, 202, "queued"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, body := deliver(t, s, tc.provider, tc.headers, tc.body)
				if status != tc.status || (tc.outcome != "" && !strings.Contains(body, `"outcome":"`+tc.outcome+`"`)) {
					t.Fatalf("got %d %s, want %d %s", status, body, tc.status, tc.outcome)
				}
			})
		}
	})
}
