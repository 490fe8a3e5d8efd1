package graph

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

func TestSelectionDepth(t *testing.T) {
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: `
type Query { a: T d: Int }
type T { a: T b: T c: T d: Int }`})
	for _, tc := range []struct {
		query string
		want  int
	}{
		{`{ d }`, 1},
		{`{ a { b { d } } d }`, 3},
		{`{ a { ...F } } fragment F on T { b { c { d } } }`, 4},
		{`{ a { ... on T { b { d } } } }`, 3},
		{`{ __schema { types { fields { type { ofType { ofType { name } } } } } } d }`, 1},
		{"{ " + strings.Repeat("a { ", 20) + "d" + strings.Repeat(" }", 20) + " }", MaxDepth + 1},
	} {
		doc, errs := gqlparser.LoadQuery(schema, tc.query)
		if len(errs) > 0 {
			t.Fatalf("%s: %v", tc.query, errs)
		}
		if got := selectionDepth(doc.Operations[0].SelectionSet, 0, MaxDepth); got != tc.want {
			t.Errorf("depth(%s) = %d, want %d", tc.query, got, tc.want)
		}
	}
}
