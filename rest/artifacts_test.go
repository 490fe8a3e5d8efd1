package rest_test

import (
	"archive/zip"
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/cargoman/cargoman/internal/testenv"
)

// upload posts a zip as multipart (with fields) or as a raw body.
func upload(t *testing.T, s *testenv.Server, pkg string, data []byte, multipartForm bool, fields map[string]string, query string) *testenv.Response {
	t.Helper()
	var body bytes.Buffer
	contentType := "application/zip"
	if multipartForm {
		mw := multipart.NewWriter(&body)
		for k, v := range fields {
			if err := mw.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
		fw, err := mw.CreateFormFile("file", "lib.zip")
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
		mw.Close()
		contentType = mw.FormDataContentType()
	} else {
		body.Write(data)
	}
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/v1/packages/"+pkg+"/versions"+query, &body)
	req.Header.Set("Authorization", "Bearer "+root)
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	out.ReadFrom(resp.Body)
	return &testenv.Response{Status: resp.StatusCode, Header: resp.Header, Body: out.Bytes()}
}

func TestArtifactUploads(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		resp := s.Do(t, http.MethodPost, "/api/v1/packages", root, map[string]any{"name": "acme/art", "type": "artifact"})
		if resp.Status != http.StatusCreated || !strings.Contains(string(resp.Body), `"task":null`) {
			t.Fatalf("create artifact package: %d %s", resp.Status, resp.Body)
		}
		good := testenv.Zip(t, map[string]string{
			"art/composer.json": testenv.ComposerJSON("acme/art", `"version":"1.0.0"`),
			"art/src/A.php":     "<?php",
		})
		if r := upload(t, s, "acme/art", good, true, nil, ""); r.Status != http.StatusCreated || !strings.Contains(string(r.Body), `"version":"1.0.0"`) {
			t.Fatalf("multipart upload: %d %s", r.Status, r.Body)
		}
		rootLevel := testenv.Zip(t, map[string]string{"composer.json": testenv.ComposerJSON("acme/art", ""), "src/A.php": "<?php // 1.1"})
		if r := upload(t, s, "acme/art", rootLevel, false, nil, "?version=1.1.0"); r.Status != http.StatusCreated || !strings.Contains(string(r.Body), `"source":"upload"`) {
			t.Fatalf("raw upload: %d %s", r.Status, r.Body)
		}
		// The stored archive has one top folder with the uploaded files.
		d := s.Do(t, http.MethodGet, "/api/v1/packages/acme/art/download/1.1.0", root, nil)
		if files := topFolder(t, zipFiles(t, d.Body)); files["src/A.php"] != "<?php // 1.1" {
			t.Fatalf("repacked archive: %v", files)
		}

		var escape bytes.Buffer
		zw := zip.NewWriter(&escape)
		w, _ := zw.Create("../../etc/passwd")
		w.Write([]byte("x"))
		c, _ := zw.Create("composer.json")
		c.Write([]byte(testenv.ComposerJSON("acme/art", `"version":"3.0.0"`)))
		zw.Close()

		for _, tc := range []struct {
			name   string
			data   []byte
			query  string
			status int
			want   string
		}{
			{"not a zip", []byte("hello"), "?version=2.0.0", 400, "zip"},
			{"no composer.json", testenv.Zip(t, map[string]string{"a/src/A.php": "<?php"}), "?version=2.0.0", 400, "composer.json"},
			{"invalid composer.json", testenv.Zip(t, map[string]string{"composer.json": "{nope"}), "?version=2.0.0", 400, "composer.json"},
			{"other package", testenv.Zip(t, map[string]string{"composer.json": testenv.ComposerJSON("acme/other", "")}), "?version=2.0.0", 400, "acme/other"},
			{"no version", testenv.Zip(t, map[string]string{"composer.json": testenv.ComposerJSON("acme/art", "")}), "", 400, "version"},
			{"invalid version", rootLevel, "?version=banana", 400, "version"},
			{"existing version", good, "", 409, "1.0.0"},
			{"escaping path", escape.Bytes(), "", 400, "path"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := upload(t, s, "acme/art", tc.data, false, nil, tc.query)
				if r.Status != tc.status || !strings.Contains(strings.ToLower(string(r.Body)), strings.ToLower(tc.want)) {
					t.Fatalf("got %d %s, want %d mentioning %q", r.Status, r.Body, tc.status, tc.want)
				}
			})
		}
		var p packageJSON
		s.Do(t, http.MethodGet, "/api/v1/packages/acme/art", root, nil).JSON(t, &p)
		if got := versionNames(p, false); strings.Join(got, ",") != "1.0.0,1.1.0" {
			t.Fatalf("versions after bad uploads: %v", got)
		}
		// Git packages take no uploads; artifact packages take no sync.
		s.Do(t, http.MethodPost, "/api/v1/packages", root, map[string]any{"name": "acme/git", "type": "git", "repository_url": "https://example.invalid/acme/git.git"})
		if r := upload(t, s, "acme/git", good, false, nil, ""); r.Status != 400 {
			t.Fatalf("upload to git package: %d %s", r.Status, r.Body)
		}
		if r := s.Do(t, http.MethodPost, "/api/v1/packages/acme/art/sync", root, nil); r.Status != 400 {
			t.Fatalf("sync of artifact package: %d %s", r.Status, r.Body)
		}

		// Validate reports per version.
		r := s.Do(t, http.MethodPost, "/api/v1/packages/acme/art/validate", root, nil)
		var v struct {
			Valid    bool `json:"valid"`
			Versions []struct {
				Version  string `json:"version"`
				Valid    bool   `json:"valid"`
				Warnings []struct {
					Field   string `json:"field"`
					Message string `json:"message"`
				} `json:"warnings"`
			} `json:"versions"`
		}
		r.JSON(t, &v)
		if r.Status != 200 || len(v.Versions) != 2 {
			t.Fatalf("validate: %d %s", r.Status, r.Body)
		}
	})
}

func TestPackageBadInput(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		s.Do(t, http.MethodPost, "/api/v1/packages", root, map[string]any{"name": "acme/taken", "type": "artifact"})
		for _, tc := range []struct {
			name   string
			body   any
			status int
			field  string
		}{
			{"bad name", map[string]any{"name": "Not A Name", "type": "git", "repository_url": "https://x.test/a.git"}, 400, "name"},
			{"upper case", map[string]any{"name": "Acme/Lib", "type": "git", "repository_url": "https://x.test/a.git"}, 400, "name"},
			{"unknown type", map[string]any{"name": "acme/a", "type": "svn", "repository_url": "https://x.test/a"}, 400, "type"},
			{"missing url", map[string]any{"name": "acme/a", "type": "github"}, 400, "repository_url"},
			{"url for artifact", map[string]any{"name": "acme/a", "type": "artifact", "repository_url": "https://x.test/a"}, 400, "repository_url"},
			{"not a url", map[string]any{"name": "acme/a", "type": "git", "repository_url": "ftp://x.test/a"}, 400, "repository_url"},
			{"password in url", map[string]any{"name": "acme/a", "type": "git", "repository_url": "https://u:p@x.test/a.git"}, 400, "repository_url"},
			{"bad glob", map[string]any{"name": "acme/a", "type": "git", "repository_url": "https://x.test/a.git", "monorepo_paths": []string{"../x"}}, 400, "monorepo_paths"},
			{"unknown credential", map[string]any{"name": "acme/a", "type": "git", "repository_url": "https://x.test/a.git", "credential_id": "crd_nope"}, 400, "credential_id"},
			{"duplicate", map[string]any{"name": "acme/taken", "type": "artifact"}, 409, "name"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := s.Do(t, http.MethodPost, "/api/v1/packages", root, tc.body)
				var e errorJSON
				r.JSON(t, &e)
				if r.Status != tc.status || e.Error.Field != tc.field {
					t.Fatalf("got %d %s, want %d on %s", r.Status, r.Body, tc.status, tc.field)
				}
			})
		}
		if n := s.Do(t, http.MethodGet, "/api/v1/packages", root, nil).Header.Get("X-Pagination-Count"); n != "1" {
			t.Fatalf("%s packages after bad input", n)
		}
	})
}
