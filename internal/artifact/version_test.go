package artifact

import (
	"errors"
	"strings"
	"testing"

	"github.com/cargoman/cargoman/internal/composerjson"
	"github.com/cargoman/cargoman/internal/semver"
)

func TestVersionOf(t *testing.T) {
	withVersion := func(v string) *composerjson.Manifest {
		m, err := composerjson.Parse([]byte(`{"name": "acme/widget", "version": "` + v + `"}`))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	without, err := composerjson.Parse([]byte(manifest))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name           string
		m              *composerjson.Manifest
		explicit       string
		pretty, normal string
		err            error
		msg            string
	}{
		{"explicit", without, "1.2.3", "1.2.3", "1.2.3.0", nil, ""},
		{"explicit with v and blanks", without, " v1.2.3 ", "v1.2.3", "1.2.3.0", nil, ""},
		{"explicit pre-release", without, "2.0.0-beta.1", "2.0.0-beta.1", "2.0.0.0-beta1", nil, ""},
		{"explicit patch level", without, "1.0.0-p1", "1.0.0-p1", "1.0.0.0-patch1", nil, ""},
		{"from composer.json", withVersion("1.4"), "", "1.4", "1.4.0.0", nil, ""},
		{"explicit wins over composer.json", withVersion("1.0.0"), "1.1.0", "1.1.0", "1.1.0.0", nil, ""},
		{"explicit wins over a dev composer.json", withVersion("dev-master"), "1.1.0", "1.1.0", "1.1.0.0", nil, ""},
		{"blank explicit falls back", withVersion("3.0.0"), "  ", "3.0.0", "3.0.0.0", nil, ""},
		{"nil manifest", nil, "1.0", "1.0", "1.0.0.0", nil, ""},
		{"explicit dev branch", without, "dev-main", "dev-main", "dev-main", nil, ""},
		{"explicit numeric dev branch", without, "2.x-dev", "2.x-dev", "2.9999999.9999999.9999999-dev", nil, ""},
		{"explicit branch name", without, "master", "master", "dev-master", nil, ""},

		{"none", without, "", "", "", ErrNoVersion, "give the version"},
		{"none and nil manifest", nil, "", "", "", ErrNoVersion, ""},
		{"empty composer.json version", withVersion(""), "", "", "", ErrNoVersion, ""},
		{"invalid", without, "1.0.0-foo", "", "", ErrInvalidVersion, `Invalid version string "1.0.0-foo"`},
		{"invalid in composer.json", withVersion("latest!"), "", "", "", ErrInvalidVersion, `composer.json "version"`},
		{"alias", without, "1.0.0 as 2.0.0", "", "", ErrInvalidVersion, "aliases"},
		{"stability flag", without, "1.0.0@beta", "", "", ErrInvalidVersion, "stability flag"},
		{"commit reference", without, "dev-main#abc123", "", "", ErrInvalidVersion, "commit reference"},
		{"too long", without, "1." + strings.Repeat("0", 300), "", "", ErrInvalidVersion, "longer than 255"},
		{"dev from composer.json", withVersion("dev-master"), "", "", "", ErrDevVersion, `"dev-master"`},
		{"branch name from composer.json", withVersion("trunk"), "", "", "", ErrDevVersion, `"trunk"`},
		{"arbitrary branch name is not a version", without, "main", "", "", ErrInvalidVersion, ""},
		{"x-dev from composer.json", withVersion("1.x-dev"), "", "", "", ErrDevVersion, ""},
		{"-dev suffix from composer.json", withVersion("1.0.0-dev"), "", "", "", ErrDevVersion, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			pretty, normal, err := VersionOf(c.m, c.explicit)
			if pretty != c.pretty || normal != c.normal || !errors.Is(err, c.err) || (err == nil) != (c.err == nil) {
				t.Fatalf("VersionOf = %q, %q, %v; want %q, %q, %v", pretty, normal, err, c.pretty, c.normal, c.err)
			}
			if err != nil && (!strings.Contains(err.Error(), c.msg) || !IsInvalid(err)) {
				t.Fatalf("error %q does not contain %q", err, c.msg)
			}
		})
	}
}

func TestVersionOfWrapsSemverError(t *testing.T) {
	_, _, err := VersionOf(nil, "not a version")
	if !errors.Is(err, ErrInvalidVersion) {
		t.Fatalf("err = %v", err)
	}
	_, _, err = VersionOf(nil, "1.0.0-foo")
	if !errors.Is(err, semver.ErrInvalidVersion) {
		t.Fatalf("err = %v; want semver.ErrInvalidVersion too", err)
	}
}
