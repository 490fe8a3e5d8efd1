package graph_test

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/cargoman/cargoman/graph"
	"github.com/cargoman/cargoman/web"
)

// TestPlaygroundWelcomeQuery: the query GraphiQL opens on validates against
// the schema, says how to authenticate, and asks for the viewer and the
// first packages, so a renamed field breaks the build, not the first visit.
func TestPlaygroundWelcomeQuery(t *testing.T) {
	schema := graph.NewSchema(graph.Deps{}).Schema()
	doc, err := parser.ParseQuery(&ast.Source{Input: web.WelcomeQuery})
	if err != nil {
		t.Fatalf("welcome query does not parse: %v", err)
	}
	if errs := validator.Validate(schema, doc); len(errs) > 0 {
		t.Fatalf("welcome query does not validate: %v", gqlerror.List(errs))
	}
	if len(doc.Operations) != 1 || doc.Operations[0].Operation != ast.Query {
		t.Fatalf("welcome document has %d operations, want one query", len(doc.Operations))
	}
	var top []string
	for _, sel := range doc.Operations[0].SelectionSet {
		top = append(top, sel.(*ast.Field).Name)
	}
	if strings.Join(top, ",") != "viewer,packages" {
		t.Errorf("welcome query asks for %v, want viewer and packages", top)
	}
	for _, want := range []string{"Authorization", "Bearer", "Headers"} {
		if !strings.Contains(web.WelcomeQuery, want) {
			t.Errorf("welcome text does not mention %q", want)
		}
	}
}
