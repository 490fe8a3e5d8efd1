package casing

import (
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct{ snake, camel string }{
		{"name", "name"},
		{"external_id", "externalID"},
		{"created_at", "createdAt"},
		{"suspension_reason", "suspensionReason"},
		{"repository_url", "repositoryURL"},
		{"package_ids", "packageIDs"},
		{"plain_token", "plainToken"},
		{"composer_auth", "composerAuth"},
		{"last_used_at", "lastUsedAt"},
		{"deleted_id", "deletedID"},
		{"id", "id"},
		{"http_url_list", "httpURLList"},
		{"ids", "ids"},
		{"identity_key", "identityKey"},
		{"total_count", "totalCount"},
	} {
		if got := Camel(tc.snake); got != tc.camel {
			t.Errorf("Camel(%q) = %q, want %q", tc.snake, got, tc.camel)
		}
		if got := Snake(tc.camel); got != tc.snake {
			t.Errorf("Snake(%q) = %q, want %q", tc.camel, got, tc.snake)
		}
	}
}

func FuzzSnakeCamel(f *testing.F) {
	for _, s := range []string{"external_id", "package_ids", "a_b_c", "x", "repository_url"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// For lower-case snake names made of letters, Snake inverts Camel.
		for _, c := range s {
			if !(c >= 'a' && c <= 'z') && c != '_' {
				return
			}
		}
		if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
			return
		}
		if got := Snake(Camel(s)); got != s && Camel(got) != Camel(s) {
			t.Fatalf("Snake(Camel(%q)) = %q", s, got)
		}
	})
}
