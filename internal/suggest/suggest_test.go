package suggest

import "testing"

func TestClosest(t *testing.T) {
	commands := []string{"serve", "migrate", "admin-token", "version", "help"}
	flags := []string{"listen-addr", "public-url", "data-dir", "database-url", "log-level"}
	for _, tc := range []struct {
		word       string
		candidates []string
		want       string
	}{
		{"serv", commands, "serve"},
		{"Serve", commands, "serve"},
		{"migarte", commands, "migrate"},
		{"mig", commands, "migrate"},
		{"admin_token", commands, "admin-token"},
		{"verison", commands, "version"},
		{"frobnicate", commands, ""},
		{"x", commands, ""},
		{"lisen-addr", flags, "listen-addr"},
		{"LISTEN_ADDR", flags, "listen-addr"},
		{"data", flags, ""}, // begins two of them
		{"databse-url", flags, "database-url"},
		{"port", flags, ""},
	} {
		got, ok := Closest(tc.word, tc.candidates)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("Closest(%q) = %q, %v; want %q", tc.word, got, ok, tc.want)
		}
	}
}
