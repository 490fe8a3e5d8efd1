package rest

import (
	"testing"

	"github.com/vektah/gqlparser/v2"

	"github.com/cargoman/cargoman/graph"
	"github.com/cargoman/cargoman/graph/generated"
)

// TestComplexityBudget walks the document of every REST route, the
// heaviest queries the product itself sends: GRAPHQL_MAX_COMPLEXITY's
// default is ten times the heaviest of them at GraphQL's page size, and
// each fits the REST executor's budget at REST's largest page.
func TestComplexityBudget(t *testing.T) {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	gql := graph.DefaultLimits()
	restLimits := gql.WithPageSize(MaxPageSize)
	heaviest, name := 0, ""
	for _, rt := range Routes() {
		doc, errs := gqlparser.LoadQuery(schema, rt.Query)
		if len(errs) > 0 {
			t.Fatalf("%s %s: %v", rt.Method, rt.Path, errs)
		}
		op := doc.Operations[0]
		cost, _, err := graph.Cost(op, map[string]any{"first": gql.MaxPageSize}, gql)
		if err != nil {
			t.Fatalf("%s %s: %v", rt.Method, rt.Path, err)
		}
		if cost > heaviest {
			heaviest, name = cost, rt.Method+" "+rt.Path
		}
		restCost, depth, err := graph.Cost(op, map[string]any{"first": MaxPageSize}, restLimits)
		if err != nil || restCost > restLimits.MaxComplexity || depth > restLimits.MaxDepth {
			t.Errorf("%s %s costs %d (depth %d) at per_page %d, over the REST budget %d: %v",
				rt.Method, rt.Path, restCost, depth, MaxPageSize, restLimits.MaxComplexity, err)
		}
	}
	t.Logf("heaviest REST document: %s, cost %d", name, heaviest)
	if graph.DefaultMaxComplexity < 10*heaviest || graph.DefaultMaxComplexity > 11*heaviest {
		t.Fatalf("DefaultMaxComplexity = %d, want about 10 × %d (%s)", graph.DefaultMaxComplexity, heaviest, name)
	}
}
