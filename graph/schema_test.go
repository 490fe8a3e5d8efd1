package graph_test

import (
	"testing"

	"github.com/cargoman/cargoman/graph"
)

// TestEveryOperationHasARule walks the schema: a Query or Mutation field
// without @hasRole would be open to anyone, so it fails the build.
func TestEveryOperationHasARule(t *testing.T) {
	schema := graph.NewSchema(graph.Deps{}).Schema()
	for _, root := range []string{"Query", "Mutation"} {
		def := schema.Types[root]
		if def == nil {
			t.Fatalf("schema has no %s type", root)
		}
		if len(def.Fields) == 0 {
			t.Fatalf("%s has no fields", root)
		}
		for _, f := range def.Fields {
			if len(f.Name) > 1 && f.Name[:2] == "__" {
				continue // introspection
			}
			if f.Directives.ForName("hasRole") == nil {
				t.Errorf("%s.%s has no @hasRole rule", root, f.Name)
			}
		}
	}
}
