package graph

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"

	"github.com/cargoman/cargoman/graph/generated"
)

// TestCost checks the cost model on the real schema: 1 per field, a
// connection times its page, a plain object list times the page size,
// nodes times its ids, introspection flat.
func TestCost(t *testing.T) {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	l := DefaultLimits()
	ids := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = "cus_x"
		}
		return out
	}
	backLink := "{ customer(id: \"x\") { " + strings.Repeat("tokens { edges { node { customer { ", 4) + "id" + strings.Repeat(" } } } }", 4) + " } }"
	for _, tc := range []struct {
		name      string
		query     string
		vars      map[string]any
		cost      int
		depth     int
		refused   bool
		overLimit bool
	}{
		{name: "scalar fields", query: `{ viewer { kind role } }`, cost: 3, depth: 2},
		{name: "connection default page", query: `{ customers { totalCount } }`, cost: 101, depth: 2},
		{name: "connection first", query: `{ customers(first: 5) { edges { node { id name } } } }`, cost: 21, depth: 4},
		{name: "first 100 costs 100 times first 1", query: `{ a: customers(first: 100) { totalCount } b: customers(first: 1) { totalCount } }`, cost: 101 + 2, depth: 2},
		{name: "first over the page size", query: `{ customers(first: 101) { totalCount } }`, depth: 2, refused: true},
		{name: "negative last", query: `{ customers(last: -1) { totalCount } }`, depth: 2, refused: true},
		{name: "last from a variable", query: `query($n: Int) { customers(last: $n) { totalCount } }`, vars: map[string]any{"n": 7}, cost: 8, depth: 2},
		{name: "nested connection on an edge", query: `{ package(name: "a/b") { webhookDeliveries(first: 10) { edges { node { id } } } } }`, cost: 1 + 1 + 10*3, depth: 5},
		{name: "plain object list", query: `{ downloadStats { topPackages { package } } }`, cost: 1 + 1 + 100, depth: 3},
		{name: "computed connection", query: `{ package(name: "a/b") { customers(first: 3) { edges { node { constraint } } } } }`, cost: 1 + 1 + 3*3, depth: 5},
		{name: "scalar list", query: `{ package(name: "a/b") { monorepoPaths } }`, cost: 2, depth: 2},
		{name: "back-link", query: `{ customer(id: "x") { tokens { edges { node { customer { tokens { totalCount } } } } } } }`, cost: 1 + 1 + 100*(1+1+1+1+100), depth: 7},
		{name: "deep back-link is over the limit", query: backLink, depth: 18, overLimit: true},
		{name: "fragments", query: `{ customers(first: 2) { edges { node { ...F } } } } fragment F on Customer { id name }`, cost: 9, depth: 4},
		{name: "nodes by ids", query: `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, vars: map[string]any{"ids": ids(3)}, cost: 4, depth: 2},
		{name: "100 ids", query: `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, vars: map[string]any{"ids": ids(100)}, cost: 101, depth: 2},
		{name: "101 ids", query: `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, vars: map[string]any{"ids": ids(101)}, depth: 2, refused: true},
		{name: "introspection is flat", query: `{ __schema { types { name fields { name type { name ofType { name } } } } } }`, cost: 9, depth: 0},
		{name: "typename", query: `{ __typename viewer { __typename } }`, cost: 3, depth: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, errs := gqlparser.LoadQuery(schema, tc.query)
			if len(errs) > 0 {
				t.Fatalf("%s: %v", tc.query, errs)
			}
			cost, depth, err := Cost(doc.Operations[0], tc.vars, l)
			if (err != nil) != tc.refused {
				t.Fatalf("err = %v, want refused %v", err, tc.refused)
			}
			if depth != tc.depth {
				t.Errorf("depth = %d, want %d", depth, tc.depth)
			}
			switch {
			case tc.overLimit:
				if cost <= l.MaxComplexity {
					t.Errorf("cost = %d, want over %d", cost, l.MaxComplexity)
				}
			case !tc.refused && cost != tc.cost:
				t.Errorf("cost = %d, want %d", cost, tc.cost)
			}
		})
	}
}

// TestCostFragmentBomb: a document reusing fragments many times over is
// measured in time linear in its size, and saturates instead of
// overflowing.
func TestCostFragmentBomb(t *testing.T) {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	var b strings.Builder
	b.WriteString("{ customer(id: \"x\") { ...F0 } }\n")
	const n = 10
	for i := range n {
		b.WriteString("fragment F")
		b.WriteString(string(rune('0' + i)))
		b.WriteString(" on Customer { id")
		if i+1 < n {
			for j := range 8 {
				b.WriteString(" a")
				b.WriteString(string(rune('0' + j)))
				b.WriteString(": tokens { edges { node { customer { ...F")
				b.WriteString(string(rune('0' + i + 1)))
				b.WriteString(" } } } }")
			}
		}
		b.WriteString(" }\n")
	}
	doc, errs := gqlparser.LoadQuery(schema, b.String())
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	cost, _, err := Cost(doc.Operations[0], nil, DefaultLimits())
	if err != nil || cost != costCap {
		t.Fatalf("cost = %d, %v; want the cap %d", cost, err, costCap)
	}
}

func TestWithPageSize(t *testing.T) {
	l := DefaultLimits().WithPageSize(500)
	if l.MaxPageSize != 500 || l.MaxComplexity != 5*DefaultMaxComplexity {
		t.Fatalf("limits = %+v", l)
	}
	if got := (Limits{MaxComplexity: 10}).WithPageSize(500); got.MaxComplexity != 50 || got.MaxNodeIDs != DefaultMaxNodeIDs {
		t.Fatalf("limits = %+v", got)
	}
}
