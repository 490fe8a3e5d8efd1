//go:build ignore

// entc generates the ent client and, through entgql, the GraphQL schema of
// the data model (schema/ent.graphql). Run it from the module root
// (`make generate`) so entgql and gqlgen resolve the same paths.
package main

import (
	"fmt"
	"log"

	"github.com/vektah/gqlparser/v2/ast"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
)

// offsetTemplate adds CursorAt to every paginated query (see the template).
var offsetTemplate = gen.MustParse(gen.NewTemplate("gql_offset").
	Funcs(entgql.TemplateFuncs).
	ParseFiles("ent/template/gql_offset.tmpl"))

// requireViewerOnNodeFields puts the @hasRole rule on the node and nodes
// fields entgql generates, so they obey the same authorization as every
// hand-written field (schema/directives.graphql).
func requireViewerOnNodeFields(_ *gen.Graph, s *ast.Schema) error {
	q, ok := s.Types["Query"]
	if !ok {
		return fmt.Errorf("generated schema has no Query type")
	}
	for _, f := range q.Fields {
		f.Directives = append(f.Directives, &ast.Directive{
			Name: "hasRole",
			Arguments: ast.ArgumentList{{
				Name:  "role",
				Value: &ast.Value{Raw: "VIEWER", Kind: ast.EnumValue},
			}},
		})
	}
	return nil
}

func main() {
	ext, err := entgql.NewExtension(
		// WithTemplates replaces the template list, so it must come before
		// the options that add templates (WithWhereInputs).
		entgql.WithTemplates(append(entgql.AllTemplates, offsetTemplate)...),
		entgql.WithSchemaGenerator(),
		entgql.WithWhereInputs(true),
		entgql.WithRelaySpec(true),
		entgql.WithConfigPath("gqlgen.yml"),
		entgql.WithSchemaPath("schema/ent.graphql"),
		entgql.WithSchemaHook(requireViewerOnNodeFields),
	)
	if err != nil {
		log.Fatalf("entgql extension: %v", err)
	}
	cfg := &gen.Config{
		Target:  "./ent",
		Package: "github.com/cargoman/cargoman/ent",
		Features: []gen.Feature{
			gen.FeatureLock,
			gen.FeatureIntercept,
			gen.FeatureUpsert,
			gen.FeatureModifier,
			gen.FeatureExecQuery,
		},
	}
	if err := entc.Generate("./ent/schema", cfg, entc.Extensions(ext)); err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
}
