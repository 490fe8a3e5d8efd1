package web

import (
	"html"
	"regexp"
	"strings"
	"testing"
)

// TestPlaygroundDoesNotPersistHeaders: the GraphiQL bootstrap turns header
// persistence off and never reads or writes headers in local storage, so a
// pasted root token does not outlive the tab; the page hands it the
// welcome query as the editor's default.
func TestPlaygroundDoesNotPersistHeaders(t *testing.T) {
	js, err := staticFS.ReadFile("static/graphiql/init.js")
	if err != nil {
		t.Fatal(err)
	}
	src := string(js)
	props := regexp.MustCompile(`(?s)React\.createElement\(GraphiQL, \{(.*?)\}\)`).FindStringSubmatch(src)
	if props == nil {
		t.Fatal("init.js does not render GraphiQL with a props object")
	}
	settings := map[string]string{}
	for _, m := range regexp.MustCompile(`(\w+):\s*([^,\n]+)`).FindAllStringSubmatch(props[1], -1) {
		settings[m[1]] = strings.TrimSpace(m[2])
	}
	if settings["shouldPersistHeaders"] != "false" {
		t.Errorf("shouldPersistHeaders = %q, want false", settings["shouldPersistHeaders"])
	}
	if settings["defaultQuery"] != "defaultQuery" {
		t.Errorf("defaultQuery = %q, want the page's welcome query", settings["defaultQuery"])
	}
	for _, call := range []string{"localStorage.setItem", "localStorage.getItem", "sessionStorage"} {
		if strings.Contains(src, call) {
			t.Errorf("init.js uses %s", call)
		}
	}

	attr := regexp.MustCompile(`data-default-query="([^"]*)"`).FindStringSubmatch(page(t, "/graphql", "/static"))
	if attr == nil {
		t.Fatal("the page has no data-default-query")
	}
	if got := html.UnescapeString(attr[1]); got != WelcomeQuery {
		t.Errorf("data-default-query = %q, want WelcomeQuery", got)
	}
}
